// Heap bytes per flow-table entry, measured by counting every allocation the table makes,
// against the two Abseil maps it could have been (docs/psf.md §4). The table must stay at
// or under 128 bytes an entry, hash index included, from 1000 entries up.
#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "daemon/psf/flow_table.h"
#include "gtest/gtest.h"

namespace {
std::atomic<size_t> g_live{0};
}  // namespace

// GCC cannot see that these operators pair malloc with free themselves.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
// Counts what malloc really hands out (its rounding included), not what was asked for.
void* operator new(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  g_live += malloc_usable_size(p);
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live -= malloc_usable_size(p);
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void* operator new[](size_t n) { return operator new(n); }
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }

namespace pvland::psf {
namespace {

FlowKey KeyOf(uint32_t i) {
  FlowKey k;
  k.addr_a = Ipv4Mapped(0x0a000000 | (i >> 16));
  k.addr_b = Ipv4Mapped(0x0a800001);
  k.port_a = static_cast<uint16_t>(i);
  k.port_b = 443;
  k.vid = 1;
  return k;
}

// What a flat or node map would hold per entry: the entry without its key.
struct Value {
  uint8_t origin;
  TcpConn conn;
  MonoNs expires;
  uint32_t prev, next;
};

double PerEntryTable(uint32_t n, size_t* reported) {
  const size_t before = g_live;
  double per;
  {
    auto t = std::make_unique<FlowTable>(n);
    for (uint32_t i = 0; i < n; ++i) t->Insert(KeyOf(i), 1);
    per = static_cast<double>(g_live - before - sizeof(FlowTable)) / n;
    *reported = t->MemoryBytes();
  }
  return per;
}

template <typename Map>
double PerEntryMap(uint32_t n) {
  const size_t before = g_live;
  double per;
  {
    Map m;
    for (uint32_t i = 0; i < n; ++i) m.try_emplace(KeyOf(i));
    per = static_cast<double>(g_live - before) / n;
  }
  return per;
}

TEST(PsfMemory, BytesPerEntry) {
  std::printf("sizeof(FlowEntry)=%zu sizeof(TcpConn)=%zu sizeof(FlowKey)=%zu\n", sizeof(FlowEntry),
              sizeof(TcpConn), sizeof(FlowKey));
  std::printf("%8s %12s %14s %16s\n", "entries", "FlowTable", "flat_hash_map", "node_hash_map");
  for (uint32_t n : {1000u, 4000u, 7200u, 14300u, 28600u, 57300u, 65536u, 100000u}) {
    size_t reported = 0;
    const double table = PerEntryTable(n, &reported);
    const double flat = PerEntryMap<absl::flat_hash_map<FlowKey, Value>>(n);
    const double node = PerEntryMap<absl::node_hash_map<FlowKey, Value>>(n);
    std::printf("%8u %12.1f %14.1f %16.1f\n", n, table, flat, node);
    EXPECT_LE(table, 128.0) << n << " entries";
    // MemoryBytes() tells the same story as the allocator.
    EXPECT_NEAR(static_cast<double>(reported) / n, table, 4.0) << n;
  }
}

}  // namespace
}  // namespace pvland::psf
