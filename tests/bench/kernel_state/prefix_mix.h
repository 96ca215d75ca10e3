// A synthetic full-table-like IPv4 prefix set shared by the FIB benchmark and the
// scale probe: mostly /24, then /22-/23, /16-/21, and a few shorter prefixes,
// spread over unicast space outside 10/8, 100/8 and 127/8.
#pragma once

#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

namespace pvland::kernel_state::bench {

struct Prefix {
  uint32_t dst;
  uint8_t len;
};

inline std::vector<Prefix> MakePrefixMix(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::unordered_set<uint64_t> seen;
  std::vector<Prefix> out;
  out.reserve(n);
  while (out.size() < n) {
    double r = std::uniform_real_distribution<double>(0, 1)(rng);
    int len = r < 0.60 ? 24
              : r < 0.80 ? 22 + static_cast<int>(rng() % 2)
              : r < 0.95 ? 16 + static_cast<int>(rng() % 6)
              : r < 0.99 ? 12 + static_cast<int>(rng() % 4)
                         : 8 + static_cast<int>(rng() % 4);
    uint32_t a = 0x01000000 + rng() % (0xdfffffffu - 0x01000000u);
    uint32_t top = a >> 24;
    if (top == 10 || top == 100 || top == 127) continue;
    a &= ~uint32_t{0} << (32 - len);
    if (!seen.insert((uint64_t{a} << 8) | len).second) continue;
    out.push_back({a, static_cast<uint8_t>(len)});
  }
  return out;
}

}  // namespace pvland::kernel_state::bench
