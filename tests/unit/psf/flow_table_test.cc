// The per-port flow table: keys, limits, eviction that keeps established connections,
// the shared budget, expiry, sweep, flush, ForEach.
#include "daemon/psf/flow_table.h"

#include "gtest/gtest.h"
#include "tests/unit/psf/psf_test_util.h"

namespace pvland::psf {
namespace {

using testing::kAck;
using testing::kSyn;
using testing::kSynAck;
using testing::Peer;
using testing::Seg;

constexpr Peer kServer{0x0a000002, 80};
Peer Client(uint16_t port) { return Peer{0x0a000001, port}; }

// Opens a connection from Client(port) on `t`, up to ESTABLISHED when `establish`.
Verdict Open(FlowTable& t, uint16_t port, MonoNs now, bool establish) {
  Verdict v = Track(t, Seg(Client(port), kServer, kSyn, 100, 0), PortDir::kFromPort, now);
  if (!v.pass || !establish) return v;
  Track(t, Seg(kServer, Client(port), kSynAck, 500, 101), PortDir::kToPort, now);
  return Track(t, Seg(Client(port), kServer, kAck, 101, 501), PortDir::kFromPort, now);
}

TEST(PsfFlowKey, BothDirectionsMakeOneKey) {
  bool a1, a2;
  const FlowKey k1 = FlowKey::Of(Seg(Client(1234), kServer, kSyn, 0, 0), &a1);
  const FlowKey k2 = FlowKey::Of(Seg(kServer, Client(1234), kSynAck, 0, 0), &a2);
  EXPECT_EQ(k1, k2);
  EXPECT_NE(a1, a2);
  // Same addresses, ports decide; VLAN is part of the key.
  TcpSegment s = Seg(Peer{0x0a000001, 9}, Peer{0x0a000001, 7}, kSyn, 0, 0);
  bool a3;
  const FlowKey k3 = FlowKey::Of(s, &a3);
  EXPECT_FALSE(a3);
  EXPECT_EQ(k3.port_a, 7);
  s.vid = 2;
  EXPECT_FALSE(FlowKey::Of(s, &a3) == k3);
  EXPECT_TRUE(IsIpv4Mapped(k1.addr_a));
}

TEST(PsfFlowTable, EntriesPerConnectionAndVlan) {
  FakeClock clock;
  FlowTable t;
  EXPECT_TRUE(Open(t, 1000, clock.Now(), true).pass);
  EXPECT_TRUE(Open(t, 1001, clock.Now(), false).pass);
  TcpSegment other_vlan = Seg(Client(1000), kServer, kSyn, 100, 0);
  other_vlan.vid = 7;
  EXPECT_TRUE(Track(t, other_vlan, PortDir::kFromPort, clock.Now()).pass);
  EXPECT_EQ(t.size(), 3u);
  int established = 0;
  t.ForEach([&](const FlowEntry& e) {
    established += e.conn.state() == TcpState::kEstablished;
    EXPECT_EQ(e.origin_dir(), PortDir::kFromPort);
  });
  EXPECT_EQ(established, 1);
  EXPECT_EQ(t.counters().inserted, 3u);
}

TEST(PsfFlowTable, AtTheLimitTheOldestUnestablishedEntryMakesRoom) {
  FakeClock clock;
  FlowTable t(3);
  ASSERT_TRUE(Open(t, 1, clock.Now(), true).pass);   // established
  ASSERT_TRUE(Open(t, 2, clock.Now(), false).pass);  // SYN_SENT, older
  ASSERT_TRUE(Open(t, 3, clock.Now(), false).pass);  // SYN_SENT, newer
  Verdict v = Open(t, 4, clock.Now(), false);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.counters().evicted, 1u);
  // Port 2's entry went: its SYN-ACK finds nothing.
  EXPECT_EQ(Track(t, Seg(kServer, Client(2), kSynAck, 500, 101), PortDir::kToPort, clock.Now()).reason,
            Reason::kNoState);
  EXPECT_TRUE(Track(t, Seg(kServer, Client(3), kSynAck, 500, 101), PortDir::kToPort, clock.Now()).pass);
}

TEST(PsfFlowTable, OnlyEstablishedLeftRefusesNewSyns) {
  FakeClock clock;
  FlowTable t(2);
  ASSERT_TRUE(Open(t, 1, clock.Now(), true).pass);
  ASSERT_TRUE(Open(t, 2, clock.Now(), true).pass);
  Verdict v = Open(t, 3, clock.Now(), false);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kTableFull);
  EXPECT_EQ(t.counters().refused, 1u);
  EXPECT_EQ(t.size(), 2u);
  // A stray ACK with no entry is no_state, not table_full.
  EXPECT_EQ(Track(t, Seg(Client(9), kServer, kAck, 1, 1), PortDir::kFromPort, clock.Now()).reason,
            Reason::kNoState);
  // Closing one makes it evictable again.
  ASSERT_TRUE(Track(t, Seg(Client(1), kServer, testing::kFinAck, 101, 501), PortDir::kFromPort, clock.Now()).pass);
  EXPECT_TRUE(Open(t, 3, clock.Now(), false).pass);
  EXPECT_EQ(t.counters().evicted, 1u);
}

TEST(PsfFlowTable, SharedBudgetBoundsAllTables) {
  FakeClock clock;
  FlowBudget budget(3);
  FlowTable a(10, &budget), b(10, &budget);
  ASSERT_TRUE(Open(a, 1, clock.Now(), true).pass);
  ASSERT_TRUE(Open(a, 2, clock.Now(), true).pass);
  ASSERT_TRUE(Open(b, 1, clock.Now(), false).pass);
  EXPECT_EQ(budget.used(), 3u);
  // b may evict its own half-open entry; a has nothing to give.
  EXPECT_TRUE(Open(b, 2, clock.Now(), false).pass);
  EXPECT_EQ(b.counters().evicted, 1u);
  EXPECT_EQ(Open(a, 3, clock.Now(), false).reason, Reason::kTableFull);
  b.Flush();
  EXPECT_EQ(budget.used(), 2u);
  EXPECT_TRUE(Open(a, 3, clock.Now(), false).pass);
  budget.set_max(100);
  EXPECT_TRUE(Open(a, 4, clock.Now(), false).pass);
  EXPECT_EQ(budget.used(), 4u);
}

TEST(PsfFlowTable, ExpiryIsLazyAndSwept) {
  FakeClock clock;
  FlowTable t;
  for (uint16_t p = 1; p <= 5; ++p) ASSERT_TRUE(Open(t, p, clock.Now(), false).pass);
  ASSERT_TRUE(Open(t, 6, clock.Now(), true).pass);
  clock.Advance(121 * kNsPerSec);  // past SYN_SENT's 120 s
  EXPECT_EQ(t.size(), 6u);         // nothing removed until looked at or swept
  bool a;
  EXPECT_EQ(t.Find(FlowKey::Of(Seg(Client(1), kServer, kSyn, 0, 0), &a), clock.Now()), nullptr);
  EXPECT_EQ(t.counters().expired, 1u);
  EXPECT_EQ(t.Sweep(clock.Now()), 4u);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.counters().expired, 5u);
  t.Flush();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.MemoryBytes(), 0u);
  EXPECT_TRUE(Open(t, 1, clock.Now(), true).pass);  // usable after a flush
}

TEST(PsfFlowTable, AnExpiredEntryMakesRoomBeforeAnyEviction) {
  FakeClock clock;
  FlowTable t(1);
  ASSERT_TRUE(Open(t, 1, clock.Now(), false).pass);
  clock.Advance(200 * kNsPerSec);
  EXPECT_TRUE(Open(t, 2, clock.Now(), false).pass);
  EXPECT_EQ(t.counters().evicted, 0u);
  EXPECT_EQ(t.counters().expired, 1u);
}

TEST(PsfFlowTable, ManyEntriesSurviveGrowthAndChurn) {
  FakeClock clock;
  FlowTable t(100000);
  for (uint16_t p = 1; p <= 5000; ++p) ASSERT_TRUE(Open(t, p, clock.Now(), p % 2 == 0).pass);
  EXPECT_EQ(t.size(), 5000u);
  // Reset the odd (half-open) ones: RST before any reply deletes them.
  for (uint16_t p = 1; p <= 5000; p += 2)
    ASSERT_TRUE(Track(t, Seg(Client(p), kServer, testing::kRst, 101, 0), PortDir::kFromPort, clock.Now()).pass);
  EXPECT_EQ(t.size(), 2500u);
  for (uint16_t p = 1; p <= 5000; p += 2) ASSERT_TRUE(Open(t, p, clock.Now(), true).pass);
  size_t established = 0;
  t.ForEach([&](const FlowEntry& e) { established += e.conn.established(); });
  EXPECT_EQ(established, 5000u);
}

}  // namespace
}  // namespace pvland::psf
