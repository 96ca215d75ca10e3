// The Internet checksum (RFC 1071): one's-complement sums of 16-bit big-endian words, as
// the IPv4 header, TCP, UDP and ICMP use it. Kept apart so every reader and writer of a
// checksum (the IP guard's header check, software segmentation) folds it the same way.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pvland {

// Adds `len` bytes at `p` to the running sum `sum` (not folded). An odd last byte is
// padded with zero, so only the last call of a sequence may have an odd length.
inline uint64_t CsumAdd(uint64_t sum, const uint8_t* p, size_t len) {
  size_t i = 0;
  for (; i + 1 < len; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (i < len) sum += static_cast<uint32_t>(p[i] << 8);
  return sum;
}

// The sum folded to 16 bits (not complemented).
inline uint16_t CsumFold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// The checksum field's value for data whose sum (with the field zero) is `sum`.
inline uint16_t CsumFinish(uint64_t sum) { return static_cast<uint16_t>(~CsumFold(sum)); }

}  // namespace pvland
