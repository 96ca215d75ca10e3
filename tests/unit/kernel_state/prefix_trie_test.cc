#include "daemon/kernel_state/prefix_trie.h"

#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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

// The /8 chunks of the DIR-24-8 layout: a /8 covered by one value shares a chunk,
// one with anything finer has its own; moving between the two must keep every
// entry right, including the /24 groups for prefixes longer than /24.
TEST(PrefixTrieTest, ChunksTurnSharedAndOwnAgain) {
  PrefixTrie t;
  Reference ref;
  auto add = [&](uint32_t dst, int len, uint32_t v) {
    t.Insert(dst, static_cast<uint8_t>(len), v);
    ref.prefixes[{dst & Mask(len), len}] = v;
  };
  auto del = [&](uint32_t dst, int len) {
    t.Erase(dst, static_cast<uint8_t>(len));
    ref.prefixes.erase({dst & Mask(len), len});
  };
  auto check = [&](const char* what) {
    t.Commit();
    // Both ends of every /24 of three /8s, and samples elsewhere.
    for (uint32_t top : {0x0au, 0x0bu, 0xc0u}) {
      for (uint32_t s = 0; s < (1u << 16); s += 7) {
        uint32_t a = (top << 24) | (s << 8);
        ASSERT_EQ(t.Longest(a), ref.Longest(a)) << what << " " << std::hex << a;
        ASSERT_EQ(t.Longest(a | 255), ref.Longest(a | 255)) << what << " " << std::hex << (a | 255);
      }
    }
    for (uint32_t a = 0; a < 0xff000000u; a += 0x00f0f0f1u) {
      ASSERT_EQ(t.Longest(a), ref.Longest(a)) << what << " " << std::hex << a;
    }
  };
  check("empty");
  add(0, 0, 1);
  check("default only");
  add(0x0a000000, 8, 2);
  add(0x0b000000, 8, 2);  // two /8s with the same value share one chunk
  check("two /8s");
  add(0x0a010200, 24, 3);
  add(0x0a010280, 25, 4);
  add(0x0a0102ff, 32, 5);
  add(0x0a7f0000, 16, 6);
  check("10/8 own chunk");
  del(0x0a010200, 24);
  check("/24 under /25 gone");
  del(0x0a010280, 25);
  del(0x0a0102ff, 32);
  check("group gone");
  del(0x0a7f0000, 16);
  check("10/8 shared again");
  add(0x0a000000, 9, 7);  // half of the /8: its own chunk with no long prefix
  check("/9");
  del(0x0a000000, 8);
  del(0x0a000000, 9);
  del(0x0b000000, 8);
  check("back to the default");
  del(0, 0);
  check("empty again");
  for (uint32_t i = 0; i < 600; ++i) add(0xc0000000u | (i << 8) | 0x80, 26, 100 + i);
  check("600 groups");
  for (uint32_t i = 0; i < 600; i += 2) del(0xc0000000u | (i << 8) | 0x80, 26);
  check("300 groups");
  t.Clear();
  ref.prefixes.clear();
  check("cleared");
  add(0xc0a80100, 24, 9);
  check("after clear");
}

// A large random table over the whole address space, every length, then churn with
// deletes, against a lookup that probes every length.
TEST(PrefixTrieTest, MatchesNaiveLookupOnLargeRandomTable) {
  std::mt19937 rng(99);
  PrefixTrie t;
  std::unordered_map<uint64_t, uint32_t> ref;  // dst << 6 | len -> value
  auto key = [](uint32_t dst, int len) { return (uint64_t{dst} << 6) | static_cast<unsigned>(len); };
  auto naive = [&](uint32_t a) -> uint32_t {
    for (int len = 32; len >= 0; --len) {
      auto it = ref.find(key(a & Mask(len), len));
      if (it != ref.end()) return it->second;
    }
    return 0;
  };
  auto random_len = [&] {
    uint32_t r = rng() % 100;
    return r < 50 ? 24 : r < 70 ? 17 + static_cast<int>(rng() % 7) : r < 85 ? 25 + static_cast<int>(rng() % 8)
                                                                   : static_cast<int>(rng() % 17);
  };
  std::vector<std::pair<uint32_t, int>> live;
  uint32_t next = 1;
  auto check = [&](int round) {
    t.Commit();
    for (int q = 0; q < 200000; ++q) {
      uint32_t a = static_cast<uint32_t>(rng());
      if (q % 2 && !live.empty()) {
        // Inside, or just outside, a live prefix.
        auto [dst, len] = live[rng() % live.size()];
        uint32_t span = len == 0 ? 0 : uint32_t{1} << (32 - len);  // 2^32 wraps to 0
        if (q % 4 == 1) {
          a = dst | (static_cast<uint32_t>(rng()) & (span - 1));
        } else {
          a = q % 8 == 3 ? dst - 1 : dst + span;
        }
      }
      ASSERT_EQ(t.Longest(a), naive(a)) << std::hex << a << " round " << std::dec << round;
    }
  };
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 40000; ++i) {
      int len = random_len();
      uint32_t dst = static_cast<uint32_t>(rng()) & Mask(len);
      if (!ref.emplace(key(dst, len), next).second) continue;
      t.Insert(dst, static_cast<uint8_t>(len), next++);
      live.push_back({dst, len});
    }
    check(round);
    for (int i = 0; i < 25000 && !live.empty(); ++i) {
      size_t k = rng() % live.size();
      auto [dst, len] = live[k];
      live[k] = live.back();
      live.pop_back();
      ref.erase(key(dst, len));
      t.Erase(dst, static_cast<uint8_t>(len));
    }
    // Some values change in place.
    for (int i = 0; i < 2000 && !live.empty(); ++i) {
      auto [dst, len] = live[rng() % live.size()];
      ref[key(dst, len)] = next;
      t.Set(dst, static_cast<uint8_t>(len), next++);
    }
    check(round);
  }
  EXPECT_EQ(t.prefix_count(), ref.size());
  // Deleting everything leaves no route anywhere, and the memory is reused by the
  // next fill instead of growing.
  for (auto [dst, len] : live) t.Erase(dst, static_cast<uint8_t>(len));
  ref.clear();
  live.clear();
  t.Commit();
  for (int q = 0; q < 10000; ++q) ASSERT_EQ(t.Longest(static_cast<uint32_t>(rng())), 0u);
  size_t bytes = t.MemoryBytes();
  for (int i = 0; i < 40000; ++i) {
    int len = random_len();
    uint32_t dst = static_cast<uint32_t>(rng()) & Mask(len);
    if (!ref.emplace(key(dst, len), next).second) continue;
    t.Insert(dst, static_cast<uint8_t>(len), next++);
    live.push_back({dst, len});
  }
  check(99);
  EXPECT_LE(t.MemoryBytes(), bytes + (size_t{4} << 20));
}

long VmSizeKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stol(line.substr(7));
  }
  return -1;
}

// Nothing is reserved ahead of use (vm.overcommit_memory=2 would charge it): an
// empty trie maps no lookup memory, and a full /8 of /24s maps about its size.
TEST(PrefixTrieTest, MapsOnlyWhatItUses) {
  long vm0 = VmSizeKiB();
  auto t = std::make_unique<PrefixTrie>();
  t->Insert(0, 0, 1);
  t->Insert(0x0a000000, 8, 2);
  t->Commit();
  long vm1 = VmSizeKiB();
  EXPECT_LT(vm1 - vm0, 8 * 1024) << "KiB of address space for a two-route trie";
  for (uint32_t i = 0; i < (1u << 16); ++i) t->Insert(0x0b000000u | (i << 8), 24, 3 + i);
  t->Commit();
  EXPECT_EQ(t->Longest(0x0b123456), 3u + 0x1234);
  long vm2 = VmSizeKiB();
  EXPECT_LT(vm2 - vm1, 16 * 1024) << "KiB of address space for 65536 /24s";
}

}  // namespace
}  // namespace pvland::kernel_state
