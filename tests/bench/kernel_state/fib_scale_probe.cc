// Helper for fib_scale.sh. `--emit N` prints an `ip -batch` file of N routes from
// prefix_mix.h. `--follow N` mirrors the namespace with RtnlSync, prints "ready",
// and once the FIB holds N routes more than at start and has compiled them prints
// the wall-clock time (CLOCK_REALTIME ns) at which it did, with the FIB's own byte
// count and the process RSS growth.
#include <poll.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "daemon/kernel_state/l3_state.h"
#include "netlink/rtnl_sync.h"
#include "tests/bench/kernel_state/prefix_mix.h"

namespace {

long RssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

long long NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int Emit(size_t n) {
  auto prefixes = pvland::kernel_state::bench::MakePrefixMix(n);
  for (size_t i = 0; i < prefixes.size(); ++i) {
    uint32_t a = prefixes[i].dst;
    std::printf("route add %u.%u.%u.%u/%u via 10.0.%zu.%zu\n", a >> 24, (a >> 16) & 255,
                (a >> 8) & 255, a & 255, prefixes[i].len, i % 2, 2 + i % 2);
  }
  return 0;
}

int Follow(size_t n) {
  using namespace pvland::kernel_state;
  pvland::kernel_state::L3State state;
  pvland::netlink::RtnlSync sync(&state);
  if (auto s = sync.Start(); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
    return 1;
  }
  size_t target = state.fib().size() + n;
  long rss0 = RssKiB();
  size_t fib0 = state.fib().MemoryBytes();
  std::printf("ready rcvbuf=%d\n", sync.route_rcvbuf_bytes());
  std::fflush(stdout);
  long long deadline = NowNs() + 900LL * 1000000000;
  while (state.fib().size() < target && NowNs() < deadline) {
    struct pollfd p = {sync.fd(), POLLIN, 0};
    if (poll(&p, 1, 100) > 0) sync.OnReadable();
  }
  // Converged means lookups answer from the new table, so the recompilation of
  // dirty trie slots (otherwise done by the first lookup) is inside the time.
  state.fib().Commit();
  long long done = NowNs();
  const auto& c = sync.counters();
  std::printf("converged_ns=%lld routes=%zu fib_bytes=%zu rss_delta_kib=%ld events=%llu "
              "overruns=%llu resyncs=%llu\n",
              done, state.fib().size(), state.fib().MemoryBytes() - fib0, RssKiB() - rss0,
              (unsigned long long)c.events, (unsigned long long)c.overruns,
              (unsigned long long)c.resyncs);
  return state.fib().size() >= target ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--emit") == 0) return Emit(std::strtoul(argv[2], nullptr, 10));
  if (argc == 3 && std::strcmp(argv[1], "--follow") == 0) return Follow(std::strtoul(argv[2], nullptr, 10));
  std::fprintf(stderr, "usage: %s --emit N | --follow N\n", argv[0]);
  return 64;
}
