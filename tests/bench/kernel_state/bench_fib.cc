// Lookups per second on a 1M-prefix table (prefix_mix.h). Two address streams:
// "hit" addresses drawn inside random installed prefixes (every lookup walks the
// trie to a long prefix and reads its route), and uniformly random addresses
// (mostly short prefixes or no route). Lookups are independent, as a batch of
// packets is, so the CPU can overlap their cache misses.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "daemon/kernel_state/fib.h"
#include "daemon/kernel_state/prefix_trie.h"
#include "tests/bench/kernel_state/prefix_mix.h"

namespace pvland::kernel_state {
namespace {

constexpr size_t kPrefixes = 1'000'000;
constexpr size_t kAddrs = 1 << 20;

struct Table {
  Fib fib;
  std::vector<uint32_t> hit, uniform;
  Table() {
    auto prefixes = bench::MakePrefixMix(kPrefixes);
    for (size_t i = 0; i < prefixes.size(); ++i) {
      ipv4::Route r;
      r.dst = prefixes[i].dst;
      r.dst_len = prefixes[i].len;
      r.protocol = 4;
      r.nexthops.push_back(ipv4::NextHop{2 + static_cast<int>(i % 2), static_cast<uint32_t>(0x0a000002u + i % 4), 0, 1});
      fib.Upsert(r);
    }
    fib.Commit();
    std::mt19937 rng(2);
    for (size_t i = 0; i < kAddrs; ++i) {
      const auto& p = prefixes[rng() % prefixes.size()];
      hit.push_back(p.dst | (rng() & ~(~uint32_t{0} << (32 - p.len))));
      uniform.push_back(static_cast<uint32_t>(rng()));
    }
  }
};

Table& GetTable() {
  static Table* t = new Table();
  return *t;
}

void Run(benchmark::State& state, const std::vector<uint32_t>& addrs) {
  const Fib& fib = GetTable().fib;
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    auto r = fib.Lookup(addrs[i++ & (kAddrs - 1)]);
    found += r.has_value();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["found%"] = 100.0 * found / state.iterations();
  state.counters["fib_MiB"] = fib.MemoryBytes() / 1048576.0;
}

void BM_LookupHit(benchmark::State& s) { Run(s, GetTable().hit); }
void BM_LookupUniform(benchmark::State& s) { Run(s, GetTable().uniform); }
BENCHMARK(BM_LookupHit);
BENCHMARK(BM_LookupUniform);

// The longest-prefix step alone (the compressed trie, no route evaluation), to
// show how the per-lookup cost splits between the trie and reading the route.
void BM_TrieOnlyHit(benchmark::State& state) {
  static PrefixTrie* trie = [] {
    auto* t = new PrefixTrie();
    auto prefixes = bench::MakePrefixMix(kPrefixes);
    for (size_t i = 0; i < prefixes.size(); ++i) t->Insert(prefixes[i].dst, prefixes[i].len, i + 1);
    t->Commit();
    return t;
  }();
  const auto& addrs = GetTable().hit;
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(trie->Longest(addrs[i++ & (kAddrs - 1)]));
  state.SetItemsProcessed(state.iterations());
  state.counters["trie_MiB"] = trie->MemoryBytes() / 1048576.0;
}
BENCHMARK(BM_TrieOnlyHit);

// Time to insert the whole table and compile it, i.e. a cold start from a dump.
void BM_Build(benchmark::State& state) {
  auto prefixes = bench::MakePrefixMix(kPrefixes);
  for (auto _ : state) {
    Fib fib;
    for (const auto& p : prefixes) {
      ipv4::Route r;
      r.dst = p.dst;
      r.dst_len = p.len;
      r.nexthops.push_back(ipv4::NextHop{2, 0x0a000002, 0, 1});
      fib.Upsert(r);
    }
    fib.Commit();
    benchmark::DoNotOptimize(fib.size());
  }
  state.SetItemsProcessed(state.iterations() * prefixes.size());
}
BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace pvland::kernel_state

BENCHMARK_MAIN();
