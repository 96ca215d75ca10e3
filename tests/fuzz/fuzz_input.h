// Reads a fuzz input as a sequence of choices: each call takes bytes from the front, and an
// exhausted input answers zeros, so every input, however short, is a valid program for a
// target. (libFuzzer's FuzzedDataProvider ships with clang only; the targets also build
// with GCC, for the corpus replay in the ordinary test suite.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pvland::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  bool empty() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  uint8_t Byte() { return p_ == end_ ? 0 : *p_++; }
  bool Bool() { return (Byte() & 1) != 0; }
  uint16_t U16() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) << 16 | U16(); }
  // A number in [0, n), n > 0.
  size_t Pick(size_t n) { return (n <= 256 ? Byte() : U16()) % n; }
  template <typename T, size_t N>
  const T& PickFrom(const T (&choices)[N]) {
    return choices[Pick(N)];
  }
  // Up to `n` bytes (fewer when the input runs out).
  std::vector<uint8_t> Bytes(size_t n) {
    if (n > remaining()) n = remaining();
    std::vector<uint8_t> out(p_, p_ + n);
    p_ += n;
    return out;
  }
  // Bytes up to the next `sep` (consumed, not returned), or to the end.
  std::vector<uint8_t> Until(uint8_t sep) {
    const uint8_t* start = p_;
    while (p_ != end_ && *p_ != sep) ++p_;
    std::vector<uint8_t> out(start, p_);
    if (p_ != end_) ++p_;
    return out;
  }
  std::string Line() {
    std::vector<uint8_t> b = Until('\n');
    return std::string(b.begin(), b.end());
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace pvland::fuzz
