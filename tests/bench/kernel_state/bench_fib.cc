// Lookups per second on a 1M-prefix table (prefix_mix.h), and what updates cost at
// that size. Before the figures it prints what they depend on (bench_env.h): build
// type, CPU, the cores it may run on, the THP mode, how much of the FIB got huge
// pages, the prefix count and the key distributions; after them, the load and steal
// time during the run and the huge-page coverage at the end.
//
// Key distributions: "hit" addresses are drawn inside random installed prefixes
// (each prefix equally likely, the address uniform inside it), so every lookup
// finds a route; "uniform" addresses are uniform over the 32-bit space (mostly
// short prefixes or no route). Lookups are independent, as a batch of packets is,
// so the CPU can overlap their cache misses.
//
// Environment: PVLAND_BENCH_PREFIXES=N (default 1000000) changes the table size;
// PVLAND_BENCH_THP=off disables transparent huge pages for the process before any
// allocation (prctl PR_SET_THP_DISABLE), to measure without them.
// Run pinned, as `taskset -c 1 bench_fib`, on a Release build.
#include <benchmark/benchmark.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "daemon/kernel_state/fib.h"
#include "daemon/kernel_state/prefix_trie.h"
#include "tests/bench/kernel_state/bench_env.h"
#include "tests/bench/kernel_state/prefix_mix.h"

namespace pvland::kernel_state {
namespace {

constexpr size_t kAddrs = 1 << 20;
size_t g_prefixes = 1'000'000;

ipv4::Route RouteFor(const bench::Prefix& p, size_t i) {
  ipv4::Route r;
  r.dst = p.dst;
  r.dst_len = p.len;
  r.protocol = 4;
  r.nexthops.push_back(ipv4::NextHop{2 + static_cast<int>(i % 2),
                                     static_cast<uint32_t>(0x0a000002u + i % 4), 0, 1});
  return r;
}

void Fill(Fib& fib, const std::vector<bench::Prefix>& prefixes) {
  for (size_t i = 0; i < prefixes.size(); ++i) fib.Upsert(RouteFor(prefixes[i], i));
  fib.Commit();
}

struct Table {
  std::vector<bench::Prefix> prefixes = bench::MakePrefixMix(g_prefixes);
  Fib fib;
  std::vector<uint32_t> hit, uniform;
  Table() {
    Fill(fib, prefixes);
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
}

void BM_LookupHit(benchmark::State& s) { Run(s, GetTable().hit); }
void BM_LookupUniform(benchmark::State& s) { Run(s, GetTable().uniform); }
BENCHMARK(BM_LookupHit);
BENCHMARK(BM_LookupUniform);

// The same lookups 32 at a time (a packet batch) through Fib::LookupBatch.
void RunBatch(benchmark::State& state, const std::vector<uint32_t>& addrs) {
  constexpr size_t kBatch = 32;
  const Fib& fib = GetTable().fib;
  std::optional<FibResult> out[kBatch];
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    fib.LookupBatch(absl::MakeConstSpan(addrs.data() + (i & (kAddrs - 1)), kBatch), {},
                    absl::MakeSpan(out));
    i += kBatch;
    for (const auto& r : out) found += r.has_value();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["found%"] = 100.0 * found / (state.iterations() * kBatch);
}
// The same lookups 32 at a time as a stage that keeps calling Lookup per packet
// would do them: Fib::Prefetch for the batch, then one Lookup after another.
void RunPrefetched(benchmark::State& state, const std::vector<uint32_t>& addrs) {
  constexpr size_t kBatch = 32;
  const Fib& fib = GetTable().fib;
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    const uint32_t* a = addrs.data() + (i & (kAddrs - 1));
    i += kBatch;
    for (size_t k = 0; k < kBatch; ++k) fib.Prefetch(a[k]);
    for (size_t k = 0; k < kBatch; ++k) {
      auto r = fib.Lookup(a[k]);
      found += r.has_value();
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["found%"] = 100.0 * found / (state.iterations() * kBatch);
}
void BM_LookupPrefetchedHit(benchmark::State& s) { RunPrefetched(s, GetTable().hit); }
void BM_LookupPrefetchedUniform(benchmark::State& s) { RunPrefetched(s, GetTable().uniform); }
BENCHMARK(BM_LookupPrefetchedHit);
BENCHMARK(BM_LookupPrefetchedUniform);

void BM_LookupBatchHit(benchmark::State& s) { RunBatch(s, GetTable().hit); }
void BM_LookupBatchUniform(benchmark::State& s) { RunBatch(s, GetTable().uniform); }
BENCHMARK(BM_LookupBatchHit);
BENCHMARK(BM_LookupBatchUniform);

// The longest-prefix step alone (no route evaluation), to show how the per-lookup
// cost splits between it and producing the result.
void BM_TrieOnlyHit(benchmark::State& state) {
  static PrefixTrie* trie = [] {
    auto* t = new PrefixTrie();
    const auto& prefixes = GetTable().prefixes;
    for (size_t i = 0; i < prefixes.size(); ++i) {
      t->Insert(prefixes[i].dst, prefixes[i].len, static_cast<uint32_t>(i + 1));
    }
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

// Updates. Route messages reach the FIB in batches (one per readable netlink
// socket) and the FIB recompiles what a batch touched at its end (Commit), so a
// rate is given for both extremes: one route per batch, and 10,000 per batch.

// Time to insert the whole table and compile it, i.e. a cold start from a dump.
void BM_Build(benchmark::State& state) {
  const auto& prefixes = GetTable().prefixes;
  for (auto _ : state) {
    Fib fib;
    Fill(fib, prefixes);
    benchmark::DoNotOptimize(fib.size());
  }
  state.SetItemsProcessed(state.iterations() * prefixes.size());
}
BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond)->Iterations(1);

// Deleting every route one by one (a flush, or the kernel withdrawing a full
// table), in random order, with one Commit at the end.
void BM_DeleteAll(benchmark::State& state) {
  const auto& prefixes = GetTable().prefixes;
  std::vector<size_t> order(prefixes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  for (auto _ : state) {
    state.PauseTiming();
    auto fib = std::make_unique<Fib>();
    Fill(*fib, prefixes);
    state.ResumeTiming();
    for (size_t i : order) fib->Remove(RouteFor(prefixes[i], i));
    fib->Commit();
    state.PauseTiming();
    fib.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * prefixes.size());
}
BENCHMARK(BM_DeleteAll)->Unit(benchmark::kMillisecond)->Iterations(1);

// A second full table for churn, so the lookup table is left as it was.
struct ChurnTable {
  Fib fib;
  std::vector<size_t> order;
  size_t next = 0;
  ChurnTable() {
    const auto& prefixes = GetTable().prefixes;
    Fill(fib, prefixes);
    order.resize(prefixes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(4));
  }
  size_t Next() {
    size_t i = order[next];
    next = (next + 1) % order.size();
    return i;
  }
};

ChurnTable& GetChurn() {
  static ChurnTable* t = new ChurnTable();
  return *t;
}

// Delete a random route of the full table and add it back, each its own batch.
void BM_ChurnOnePerBatch(benchmark::State& state) {
  ChurnTable& c = GetChurn();
  const auto& prefixes = GetTable().prefixes;
  for (auto _ : state) {
    size_t i = c.Next();
    ipv4::Route r = RouteFor(prefixes[i], i);
    c.fib.Remove(r);
    c.fib.Commit();
    c.fib.Upsert(r);
    c.fib.Commit();
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_ChurnOnePerBatch);

// Delete 10,000 random routes in one batch, then add them back in another.
void BM_ChurnBatched(benchmark::State& state) {
  constexpr size_t kBatch = 10'000;
  ChurnTable& c = GetChurn();
  const auto& prefixes = GetTable().prefixes;
  std::vector<ipv4::Route> routes;
  for (auto _ : state) {
    state.PauseTiming();
    routes.clear();
    for (size_t k = 0; k < kBatch; ++k) {
      size_t i = c.Next();
      routes.push_back(RouteFor(prefixes[i], i));
    }
    state.ResumeTiming();
    for (const auto& r : routes) c.fib.Remove(r);
    c.fib.Commit();
    for (const auto& r : routes) c.fib.Upsert(r);
    c.fib.Commit();
  }
  state.SetItemsProcessed(state.iterations() * kBatch * 2);
}
BENCHMARK(BM_ChurnBatched)->Unit(benchmark::kMillisecond);

// A default route added to and removed from the full table: it covers every
// address, the most a single route can change.
void BM_DefaultRouteFlap(benchmark::State& state) {
  ChurnTable& c = GetChurn();
  ipv4::Route r;
  r.nexthops.push_back(ipv4::NextHop{5, 0x0a000001, 0, 1});
  for (auto _ : state) {
    c.fib.Upsert(r);
    c.fib.Commit();
    c.fib.Remove(r);
    c.fib.Commit();
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_DefaultRouteFlap)->Unit(benchmark::kMillisecond);

double MiB(long kib) { return kib / 1024.0; }

}  // namespace
}  // namespace pvland::kernel_state

int main(int argc, char** argv) {
  using namespace pvland::kernel_state;
  namespace be = pvland::kernel_state::bench;
  if (const char* thp = std::getenv("PVLAND_BENCH_THP"); thp && std::strcmp(thp, "off") == 0) {
    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
  }
  if (const char* n = std::getenv("PVLAND_BENCH_PREFIXES")) g_prefixes = std::strtoul(n, nullptr, 10);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  // An empty FIB's address space and memory, then the lookup table's.
  long vm0 = be::StatusKiB("VmSize"), rss0 = be::StatusKiB("VmRSS");
  auto* empty = new Fib();
  long vm_empty = be::StatusKiB("VmSize") - vm0, rss_empty = be::StatusKiB("VmRSS") - rss0;
  delete empty;
  vm0 = be::StatusKiB("VmSize");
  rss0 = be::StatusKiB("VmRSS");
  auto t0 = std::chrono::steady_clock::now();
  Table& table = GetTable();
  double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long vm1 = be::StatusKiB("VmSize"), rss1 = be::StatusKiB("VmRSS");
  be::HugeUsage hp = be::HugePages();
  char buf[256];

  be::MemoryTimes mem = be::MeasureMemory(size_t{64} << 20);
  std::snprintf(buf, sizeof buf, "%.0f ns per dependent read, %.1f ns per independent read "
                "(random lines of 64 MiB)", mem.dependent_ns, mem.independent_ns);
  benchmark::AddCustomContext("memory", buf);
  benchmark::AddCustomContext("build", be::BuildDescription());
  benchmark::AddCustomContext("cpu", be::CpuModel());
  benchmark::AddCustomContext("cpus_allowed", be::Affinity());
  benchmark::AddCustomContext("thp", be::ThpMode());
  benchmark::AddCustomContext("prefixes", std::to_string(table.fib.size()) +
                                              " (prefix_mix.h: 60% /24, 20% /22-23, 15% /16-21, "
                                              "5% /8-15)");
  benchmark::AddCustomContext("keys", "hit: random installed prefix, uniform address inside it; "
                                      "uniform: uniform 32-bit; " + std::to_string(kAddrs) +
                                      " addresses each, in order");
  std::snprintf(buf, sizeof buf, "%.1f MiB counted by Fib::MemoryBytes, %.1f MiB RSS growth, "
                "built in %.2f s", table.fib.MemoryBytes() / 1048576.0, MiB(rss1 - rss0), build_s);
  benchmark::AddCustomContext("fib_memory", buf);
  std::snprintf(buf, sizeof buf, "empty Fib %+.1f MiB (RSS %+.1f MiB); %zu-prefix table %+.1f MiB",
                MiB(vm_empty), MiB(rss_empty), table.fib.size(), MiB(vm1 - vm0));
  benchmark::AddCustomContext("vm_size", buf);
  std::snprintf(buf, sizeof buf, "%.1f of %.1f MiB in MADV_HUGEPAGE mappings "
                "(process: %.1f MiB AnonHugePages of %.1f MiB RSS)", MiB(hp.hg_huge_kib),
                MiB(hp.hg_rss_kib), MiB(hp.anon_huge_kib), MiB(hp.rss_kib));
  benchmark::AddCustomContext("huge_pages_after_build", buf);

  int cpu = sched_getcpu();
  be::CpuTicks c0 = be::ReadCpuTicks(cpu), all0 = be::ReadCpuTicks(-1);
  uint64_t self0 = be::SelfTicks();
  std::string load0 = be::FirstLine("/proc/loadavg");
  benchmark::RunSpecifiedBenchmarks();
  uint64_t self1 = be::SelfTicks();
  be::CpuTicks c1 = be::ReadCpuTicks(cpu), all1 = be::ReadCpuTicks(-1);
  hp = be::HugePages();
  auto pct = [](uint64_t part, const be::CpuTicks& a, const be::CpuTicks& b) {
    return b.total > a.total ? 100.0 * part / (b.total - a.total) : 0.0;
  };
  // When pinned, whatever else kept this CPU busy competed with the bench for it
  // and its caches.
  uint64_t busy = (c1.total - c1.idle) - (c0.total - c0.idle);
  uint64_t self = self1 - self0;
  std::printf("after the run: huge pages %.1f of %.1f MiB in MADV_HUGEPAGE mappings; "
              "cpu %d: %.1f%% other processes, %.1f%% steal (all cpus: %.1f%% steal); "
              "loadavg before: %s, after: %s\n",
              MiB(hp.hg_huge_kib), MiB(hp.hg_rss_kib), cpu,
              pct(busy > self ? busy - self : 0, c0, c1), pct(c1.steal - c0.steal, c0, c1),
              pct(all1.steal - all0.steal, all0, all1), load0.c_str(),
              be::FirstLine("/proc/loadavg").c_str());
  benchmark::Shutdown();
  return 0;
}
