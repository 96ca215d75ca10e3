#include "daemon/kernel_state/prefix_trie.h"

#include <map>
#include <random>
#include <utility>

#include "gtest/gtest.h"

namespace pvland::kernel_state {
namespace {

uint32_t Mask(int len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

// Brute-force reference: longest covering prefix by scanning every length.
struct Reference {
  std::map<std::pair<uint32_t, int>, uint32_t> prefixes;  // (dst, len) -> id

  uint32_t Longest(uint32_t a, int below = 33) const {
    for (int len = below - 1; len >= 0; --len) {
      auto it = prefixes.find({a & Mask(len), len});
      if (it != prefixes.end()) return it->second;
    }
    return 0;
  }
};

TEST(PrefixTrieTest, EmptyFindsNothing) {
  PrefixTrie t;
  t.Commit();
  EXPECT_EQ(t.Longest(0x0a000001), 0u);
  EXPECT_EQ(t.Find(0, 0), 0u);
}

TEST(PrefixTrieTest, LongestOfNestedPrefixes) {
  PrefixTrie t;
  t.Insert(0x00000000, 0, 1);
  t.Insert(0x0a000000, 8, 2);
  t.Insert(0x0a010000, 16, 3);
  t.Insert(0x0a010100, 24, 4);
  t.Insert(0x0a010180, 25, 5);
  t.Insert(0x0a010181, 32, 6);
  t.Commit();
  EXPECT_EQ(t.Longest(0x0a010181), 6u);
  EXPECT_EQ(t.Longest(0x0a010182), 5u);
  EXPECT_EQ(t.Longest(0x0a010101), 4u);
  EXPECT_EQ(t.Longest(0x0a010201), 3u);
  EXPECT_EQ(t.Longest(0x0a020201), 2u);
  EXPECT_EQ(t.Longest(0x0b000001), 1u);
  EXPECT_EQ(t.Parent(6, 0x0a010181, 32), 5u);
  EXPECT_EQ(t.Parent(5, 0x0a010180, 25), 4u);
  EXPECT_EQ(t.Parent(4, 0x0a010100, 24), 3u);
  EXPECT_EQ(t.Parent(3, 0x0a010000, 16), 2u);
  EXPECT_EQ(t.Parent(2, 0x0a000000, 8), 1u);
  EXPECT_EQ(t.Parent(1, 0, 0), 0u);
  EXPECT_EQ(t.Find(0x0a0101ff, 24), 4u);  // host bits are ignored
}

TEST(PrefixTrieTest, EraseRestoresCoveringPrefix) {
  PrefixTrie t;
  t.Insert(0x0a000000, 8, 1);
  t.Insert(0x0a000000, 12, 2);
  t.Insert(0x0a000100, 24, 3);
  t.Commit();
  EXPECT_EQ(t.Longest(0x0a000101), 3u);
  t.Erase(0x0a000100, 24);
  t.Commit();
  EXPECT_EQ(t.Longest(0x0a000101), 2u);
  t.Erase(0x0a000000, 12);
  t.Commit();
  EXPECT_EQ(t.Longest(0x0a000101), 1u);
  EXPECT_EQ(t.prefix_count(), 1u);
}

// Random inserts and erases of every length against the brute-force reference,
// with lookups of addresses near prefix boundaries.
TEST(PrefixTrieTest, MatchesBruteForceUnderChurn) {
  std::mt19937 rng(7);
  PrefixTrie t;
  Reference ref;
  uint32_t next_id = 1;
  std::vector<std::pair<uint32_t, int>> live;
  // Concentrate on a few /16 slots so nodes get deep and crowded.
  auto rand_addr = [&] {
    static const uint32_t kBases[] = {0x0a000000, 0x0a010000, 0xc0a80000, 0x7f000000};
    return rng() % 4 == 0 ? static_cast<uint32_t>(rng()) : kBases[rng() % 4] | (rng() & 0xffff);
  };
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 300; ++i) {
      int len = static_cast<int>(rng() % 33);
      uint32_t dst = rand_addr() & Mask(len);
      if (ref.prefixes.count({dst, len})) continue;
      ref.prefixes[{dst, len}] = next_id;
      t.Insert(dst, static_cast<uint8_t>(len), next_id++);
      live.push_back({dst, len});
    }
    for (int i = 0; i < 150 && !live.empty(); ++i) {
      size_t k = rng() % live.size();
      auto [dst, len] = live[k];
      live[k] = live.back();
      live.pop_back();
      ref.prefixes.erase({dst, len});
      t.Erase(dst, static_cast<uint8_t>(len));
    }
    t.Commit();
    for (int q = 0; q < 2000; ++q) {
      uint32_t a = rand_addr();
      ASSERT_EQ(t.Longest(a), ref.Longest(a)) << std::hex << a << " round " << round;
    }
    for (const auto& [key, id] : ref.prefixes) {
      auto [dst, len] = key;
      ASSERT_EQ(t.Find(dst, static_cast<uint8_t>(len)), id);
      ASSERT_EQ(t.Parent(id, dst, static_cast<uint8_t>(len)), ref.Longest(dst, len))
          << std::hex << dst << "/" << std::dec << len;
    }
  }
  EXPECT_EQ(t.prefix_count(), ref.prefixes.size());
}

}  // namespace
}  // namespace pvland::kernel_state
