// The proxy delay queue (§2.5; cases 34, 46-49 of §4) on simulated time with a
// scripted random source.
#include "daemon/ipv4/proxy_queue.h"

#include <algorithm>
#include <deque>
#include <limits>

#include "gtest/gtest.h"
#include "tests/unit/ipv4/topo.h"

namespace pvland::ipv4 {
namespace {

using testing::Ask;
using testing::BuildT1;
using testing::Ip;
using testing::kEth1;
using testing::kEth2;
using testing::kH2;
using testing::Topo;

// Returns scripted draws (clamped below the bound) and records the bounds asked.
class ScriptedRandom final : public DelayRandom {
 public:
  std::deque<uint32_t> draws;
  std::vector<uint32_t> bounds;
  uint32_t Below(uint32_t bound) override {
    bounds.push_back(bound);
    uint32_t v = draws.empty() ? 0 : draws.front();
    if (!draws.empty()) draws.pop_front();
    return v < bound ? v : bound - 1;
  }
};

class ProxyQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildT1(t_);
    t_.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
  }
  NeighParms Parms() const { return *t_.store.Neigh("eth1"); }

  Topo t_;
  FakeClock clock_;
  ScriptedRandom random_;
  ProxyQueue q_{clock_, random_};
};

TEST_F(ProxyQueueTest, DelayIsDrawnBelowProxyDelayInJiffies) {
  random_.draws = {0, 199, 50};
  const MonoNs t0 = clock_.Now();
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  // Default proxy_delay 80 ticks = 200 jiffies of 4 ms.
  EXPECT_EQ(random_.bounds, (std::vector<uint32_t>{200, 200, 200}));
  EXPECT_EQ(*q_.NextDeadline(), t0);
  auto due = q_.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].request.locally_enqueued);
  clock_.Advance(199 * kNsPerMs);
  EXPECT_EQ(*q_.NextDeadline(), t0 + 200 * kNsPerMs);
  EXPECT_TRUE(q_.TakeDue().empty());
  clock_.Advance(1 * kNsPerMs);
  EXPECT_EQ(q_.TakeDue().size(), 1u);
  clock_.Advance(595 * kNsPerMs);
  EXPECT_TRUE(q_.TakeDue().empty());
  clock_.Advance(1 * kNsPerMs);  // 199 jiffies = 796 ms: always < 0.8 s
  EXPECT_EQ(q_.TakeDue().size(), 1u);
  EXPECT_FALSE(q_.NextDeadline().has_value());
  EXPECT_EQ(q_.QlenOf(kEth1), 0u);
}

TEST_F(ProxyQueueTest, Case46CapacityIsProxyQlenPlusOne) {
  for (int qlen : {3, 0, 64}) {
    ProxyQueue q(clock_, random_);
    NeighParms p = Parms();
    p.proxy_qlen = qlen;
    int queued = 0;
    for (int i = 0; i < 100; ++i) queued += q.Enqueue(Ask(kH2), p) ? 1 : 0;
    EXPECT_EQ(queued, qlen + 1) << "proxy_qlen " << qlen;
    EXPECT_EQ(q.overflow_drops(), static_cast<uint64_t>(100 - qlen - 1));
    EXPECT_EQ(q.QlenOf(kEth1), static_cast<uint32_t>(qlen + 1));
  }
}

TEST_F(ProxyQueueTest, QlenIsPerDeviceAndFreedOnExpiry) {
  NeighParms p = Parms();
  p.proxy_qlen = 0;
  ArpInput other = Ask(kH2);
  other.ifindex = kEth2;
  EXPECT_TRUE(q_.Enqueue(Ask(kH2), p));
  EXPECT_FALSE(q_.Enqueue(Ask(kH2), p));
  EXPECT_TRUE(q_.Enqueue(other, p));  // another device has its own count
  clock_.Advance(kNsPerSec);
  EXPECT_EQ(q_.TakeDue().size(), 2u);
  EXPECT_TRUE(q_.Enqueue(Ask(kH2), p));
}

TEST_F(ProxyQueueTest, DueRequestsComeOutInArrivalOrder) {
  random_.draws = {100, 10, 50};
  for (uint64_t cookie : {1, 2, 3}) ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms(), cookie));
  clock_.Advance(kNsPerSec);
  auto due = q_.TakeDue();
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].cookie, 1u);  // neigh_proxy_process walks the list, not deadlines
  EXPECT_EQ(due[1].cookie, 2u);
  EXPECT_EQ(due[2].cookie, 3u);
}

TEST_F(ProxyQueueTest, Case34RerunAnswersAtOnce) {
  const ArpDecision first = ArpDecide(t_.state, t_.store, t_.flags, Ask(kH2));
  ASSERT_EQ(first.action, ArpAction::kEnqueue);
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  clock_.Advance(kNsPerSec);
  auto due = q_.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  const ArpDecision again = Redecide(t_.state, t_.store, t_.flags, due[0]);
  EXPECT_EQ(again.action, ArpAction::kReply);
  EXPECT_EQ(again.reason, "proxy_reply");
  EXPECT_EQ(again.reply.spa, kH2);
}

TEST_F(ProxyQueueTest, StaticProxyEntryRerunAndDeletionWhileQueued) {
  t_.Sysctl("net.ipv4.conf.eth1.proxy_arp=0");
  t_.state.ReplaceProxyEntries({{kH2, kEth1}});
  const ArpDecision first = ArpDecide(t_.state, t_.store, t_.flags, Ask(kH2));
  ASSERT_EQ(first.action, ArpAction::kEnqueue);
  EXPECT_EQ(first.reason, "pneigh_delayed");
  EXPECT_TRUE(first.requester_neighbour_refreshed);
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms(), 1));
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms(), 2));
  clock_.Advance(kNsPerSec);
  auto due = q_.TakeDue();
  ASSERT_EQ(due.size(), 2u);
  const ArpDecision again = Redecide(t_.state, t_.store, t_.flags, due[0]);
  EXPECT_EQ(again.action, ArpAction::kReply);
  EXPECT_EQ(again.reason, "pneigh_reply");
  // The entry deleted while the request waits: the re-run finds none.
  t_.state.ReplaceProxyEntries({});
  EXPECT_EQ(Redecide(t_.state, t_.store, t_.flags, due[1]).reason, "not_proxied");
}

TEST_F(ProxyQueueTest, Case47KnobChangeWhileQueuedSuppresses) {
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  t_.Sysctl("net.ipv4.conf.eth1.proxy_arp=0");
  clock_.Advance(kNsPerSec);
  auto due = q_.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(Redecide(t_.state, t_.store, t_.flags, due[0]).action, ArpAction::kIgnore);

  t_.Sysctl("net.ipv4.conf.eth1.proxy_arp=1");
  ASSERT_TRUE(q_.Enqueue(Ask(kH2, Ip(10, 0, 2, 50)), Parms()));
  t_.Sysctl("net.ipv4.conf.eth1.rp_filter=1");
  clock_.Advance(kNsPerSec);
  due = q_.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  const ArpDecision d = Redecide(t_.state, t_.store, t_.flags, due[0]);
  EXPECT_EQ(d.action, ArpAction::kIgnore);
  EXPECT_EQ(d.martian, MartianKind::kSource);
}

TEST_F(ProxyQueueTest, Case48AnyInterfaceDownPurgesEverything) {
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  ArpInput other = Ask(kH2);
  other.ifindex = kEth2;
  ASSERT_TRUE(q_.Enqueue(other, Parms()));
  // An unrelated device going admin down purges the whole queue.
  EXPECT_TRUE(LinkEventPurgesProxyQueue(true, false, std::nullopt));
  EXPECT_EQ(q_.PurgeAll(), 2u);
  EXPECT_EQ(q_.purged(), 2u);
  EXPECT_EQ(q_.size(), 0u);
  EXPECT_EQ(q_.QlenOf(kEth1), 0u);
  clock_.Advance(kNsPerSec);
  EXPECT_TRUE(q_.TakeDue().empty());
  // Carrier loss purges only while arp_evict_nocarrier (AND) is on for that device.
  EXPECT_TRUE(LinkEventPurgesProxyQueue(false, true, t_.Conf(kEth2)));
  t_.Sysctl("net.ipv4.conf.eth2.arp_evict_nocarrier=0");
  EXPECT_FALSE(LinkEventPurgesProxyQueue(false, true, t_.Conf(kEth2)));
  EXPECT_FALSE(LinkEventPurgesProxyQueue(false, true, std::nullopt));
  EXPECT_FALSE(LinkEventPurgesProxyQueue(false, false, t_.Conf(kEth1)));
}

TEST_F(ProxyQueueTest, Case49ProxyDelayChangeDoesNotReschedule) {
  random_.draws = {150};  // 600 ms
  t_.Sysctl("net.ipv4.neigh.eth1.proxy_delay=300");
  const MonoNs t0 = clock_.Now();
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  EXPECT_EQ(random_.bounds.back(), 750u);
  t_.Sysctl("net.ipv4.neigh.eth1.proxy_delay=0");
  EXPECT_EQ(*q_.NextDeadline(), t0 + 600 * kNsPerMs);
}

TEST_F(ProxyQueueTest, DeviceDownAtExpiryFreesTheRequest) {
  ASSERT_TRUE(q_.Enqueue(Ask(kH2), Parms()));
  t_.SetLinkFlags(kEth1, 0);
  clock_.Advance(kNsPerSec);
  auto due = q_.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  const ArpDecision d = Redecide(t_.state, t_.store, t_.flags, due[0]);
  EXPECT_EQ(d.action, ArpAction::kIgnore);
  EXPECT_EQ(d.reason, kProxyQueueDeviceDown);
}

TEST(ProxyQueueDistributionTest, RealRandomStaysBelowProxyDelay) {
  // Case 34/§2.5-5: delays observed 0.07-0.78 s, always < 0.8 s, 4 ms steps.
  FakeClock clock;
  BitGenDelayRandom random;
  ProxyQueue q(clock, random);
  NeighParms p;
  p.proxy_qlen = 100000;
  ArpInput in;
  in.ifindex = 2;
  const MonoNs t0 = clock.Now();
  MonoNs lo = std::numeric_limits<MonoNs>::max(), hi = 0, sum = 0;
  constexpr int kN = 20000;
  for (int i = 0; i < kN; ++i) ASSERT_TRUE(q.Enqueue(in, p));
  clock.Advance(kNsPerSec);
  for (const QueuedArp& e : q.TakeDue()) {
    const MonoNs d = e.deadline - t0;
    EXPECT_EQ(d % kJiffy, 0);  // whole jiffies only
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    sum += d;
  }
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 796 * kNsPerMs);
  // Uniform over 200 steps: mean 398 ms; tolerate 10 ms.
  EXPECT_NEAR(static_cast<double>(sum / kN) / kNsPerMs, 398.0, 10.0);
}

}  // namespace
}  // namespace pvland::ipv4
