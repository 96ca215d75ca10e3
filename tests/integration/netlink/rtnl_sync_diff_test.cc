// Differential test of RtnlSync + kernel_state::Fib against the running kernel. Each test moves
// itself into a fresh network namespace (unshare(CLONE_NEWNET)), which disappears
// with the process, so nothing is left behind on any exit path. Needs root (without it
// the tests skip outside CI and fail as root or in CI: tests/integration/skip_or_fail.h).
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "daemon/kernel_state/l3_state.h"
#include "include/pvland/ipv4_addr.h"
#include "netlink/rtnl_sync.h"
#include "tests/integration/netlink/kernel_oracle.h"
#include "tests/integration/skip_or_fail.h"

namespace pvland::netlink {
namespace {

using testing::KernelGetRoute;
using testing::KernelRouteIdentities;
using testing::RouteIdentity;
using testing::Sh;

constexpr int kDevs = 4;

class RtnlSyncDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ::pvland::testing::EnterFreshNetns(); !why.empty()) {
      PVLAND_SKIP_OR_FAIL(why);
    }
    std::string cmds = "set -e; ip link set lo up;";
    for (int i = 0; i < kDevs; ++i) {
      absl::StrAppendFormat(&cmds,
                            "ip link add v%d type veth peer name p%d;"
                            "ip link set v%d up; ip link set p%d up;"
                            "ip addr add 10.0.%d.1/24 dev v%d;",
                            i, i, i, i, i, i);
    }
    ASSERT_EQ(Sh(cmds), 0);
    batch_ = absl::StrCat("/tmp/pvland-nl-", getpid(), ".batch");
  }
  void TearDown() override {
    if (!batch_.empty()) std::remove(batch_.c_str());
  }

  int Ifindex(int dev) {
    const ipv4::Link* l = state_.LinkByName(absl::StrCat("v", dev));
    return l ? l->ifindex : -1;
  }

  // Applies notifications until the mirror has been quiet for `quiet_ms`.
  void Pump(RtnlSync& sync, int quiet_ms = 400) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto last = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < deadline) {
      struct pollfd p = {sync.fd(), POLLIN, 0};
      if (poll(&p, 1, 50) > 0) {
        sync.OnReadable();
        last = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last > std::chrono::milliseconds(quiet_ms)) {
        return;
      }
    }
  }

  std::set<RouteIdentity> Mirror() const {
    std::set<RouteIdentity> ids;
    state_.fib().ForEach([&](const ipv4::Route& r) {
      ids.insert({r.table, r.dst, r.dst_len, r.tos, r.priority});
    });
    return ids;
  }

  // Random routes under 20.0.0.0/6 (so they overlap), written as an ip batch.
  void WriteRoutes(std::mt19937& rng, int n, std::vector<std::string>* dels = nullptr) {
    std::ofstream f(batch_);
    static const int kLens[] = {8, 10, 12, 14, 16, 17, 18, 19, 20, 21, 22, 23, 24, 24,
                                24, 24, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const uint32_t kPrio[] = {0, 0, 10, 20, 100};
    static const uint8_t kTos[] = {0x04, 0x08, 0x10, 0x18, 0x1c};
    for (int i = 0; i < n; ++i) {
      int len = kLens[rng() % std::size(kLens)];
      uint32_t dst = (0x14000000 | (rng() & 0x03ffffff)) & (~uint32_t{0} << (32 - len));
      std::string key = absl::StrFormat("%s/%d", FormatIpv4(dst), len);
      uint32_t prio = kPrio[rng() % std::size(kPrio)];
      if (prio) absl::StrAppend(&key, " metric ", prio);
      if (rng() % 20 == 0) absl::StrAppendFormat(&key, " tos 0x%02x", kTos[rng() % 5]);
      if (rng() % 40 == 0) absl::StrAppend(&key, " table 100");
      int kind = static_cast<int>(rng() % 100);
      int d = static_cast<int>(rng() % kDevs), d2 = (d + 1) % kDevs;
      std::string line;
      if (kind < 5) {
        line = absl::StrCat("route add blackhole ", key);
      } else if (kind < 10) {
        line = absl::StrCat("route add unreachable ", key);
      } else if (kind < 14) {
        line = absl::StrCat("route add prohibit ", key);
      } else if (kind < 16) {
        line = absl::StrCat("route add throw ", key);
      } else if (kind < 24) {
        line = absl::StrFormat("route add %s nexthop via 10.0.%d.2 nexthop via 10.0.%d.2 weight %d",
                               key, d, d2, 1 + rng() % 3);
      } else if (kind < 40) {
        line = absl::StrFormat("route add %s dev v%d", key, d);
      } else {
        line = absl::StrFormat("route add %s via 10.0.%d.%d", key, d, 2 + rng() % 200);
      }
      f << line << "\n";
      if (dels) dels->push_back(absl::StrCat("route del ", key));
    }
  }

  void InstallBatch() { Sh(absl::StrCat("ip -batch ", batch_, " -force >/dev/null 2>&1")); }

  // Compares kernel_state::Fib::Lookup with the kernel's route lookup; returns mismatches.
  int Compare(std::mt19937& rng, int n, bool with_tos) {
    int bad = 0, multipath = 0, errors = 0, none = 0;
    for (int i = 0; i < n; ++i) {
      uint32_t dst;
      switch (rng() % 8) {
        case 0: dst = 0x0a000000 | (rng() % kDevs) << 8 | (rng() & 255); break;
        case 1: dst = ((1 + rng() % 126) << 24) | (rng() & 0xffffff); break;
        default: dst = 0x14000000 | (rng() & 0x03ffffff);
      }
      uint8_t tos = with_tos && rng() % 2 ? static_cast<uint8_t>((rng() % 8) << 2) : 0;
      testing::KernelRoute k = KernelGetRoute(dst, tos);
      std::optional<kernel_state::FibResult> u = state_.fib().Lookup(dst, tos);
      std::string why;
      if (k.error != 0) {
        int want = !u ? ENETUNREACH
                   : u->type == ipv4::RouteType::kUnreachable ? EHOSTUNREACH
                   : u->type == ipv4::RouteType::kBlackhole   ? EINVAL
                   : u->type == ipv4::RouteType::kProhibit    ? EACCES
                                                             : 0;
        if (want != k.error) why = absl::StrCat("kernel errno ", k.error, " fib ", want);
        (k.error == ENETUNREACH ? none : errors)++;
      } else if (!u) {
        why = absl::StrCat("kernel type ", k.type, " oif ", k.oif, ", fib no route");
      } else if (static_cast<uint8_t>(u->type) != k.type) {
        why = absl::StrCat("type kernel ", k.type, " fib ", static_cast<int>(u->type));
      } else if (u->type == ipv4::RouteType::kUnicast) {
        if (u->route->nexthops.size() > 1) {
          ++multipath;  // the kernel's leg is hashed with a random seed: any leg will do
          bool any = false;
          for (const auto& nh : u->route->nexthops) {
            any |= nh.ifindex == k.oif && nh.gateway == k.gateway;
          }
          if (!any) why = "kernel leg is not a leg of the fib's route";
        } else if (u->oif != k.oif || u->gateway != k.gateway) {
          why = absl::StrCat("kernel dev ", k.oif, " via ", FormatIpv4(k.gateway), ", fib dev ",
                             u->oif, " via ", FormatIpv4(u->gateway));
        }
      }
      if (!why.empty() && ++bad <= 10) {
        ADD_FAILURE() << FormatIpv4(dst) << " tos " << int(tos) << ": " << why
                      << (u && u->route ? absl::StrFormat(" (fib matched %s/%d table %d metric %d)",
                                                          FormatIpv4(u->route->dst), u->route->dst_len,
                                                          u->route->table, u->route->priority)
                                        : "");
      }
    }
    std::printf("compared %d lookups: %d multipath, %d error routes, %d no route, %d mismatches\n",
                n, multipath, errors, none, bad);
    return bad;
  }

  kernel_state::L3State state_;
  std::string batch_;
};

TEST_F(RtnlSyncDiffTest, RandomRoutesAgreeWithKernelLookups) {
  std::mt19937 rng(1234);
  Sh("ip route add default via 10.0.3.2 table default");
  WriteRoutes(rng, 2500);
  InstallBatch();  // these arrive through the initial dump
  RtnlSync sync(&state_, RtnlSyncOptions{.redump_debounce = absl::Milliseconds(50)});
  ASSERT_TRUE(sync.Start().ok());
  WriteRoutes(rng, 2500);
  InstallBatch();  // these through notifications
  Pump(sync);
  EXPECT_GT(sync.counters().events, 1000u);
  std::set<RouteIdentity> kernel = KernelRouteIdentities();
  EXPECT_GT(kernel.size(), 4000u);
  EXPECT_EQ(Mirror(), kernel);
  EXPECT_EQ(Compare(rng, 6000, /*with_tos=*/true), 0);

  // Links and addresses came along too.
  ASSERT_GT(Ifindex(1), 0);
  EXPECT_TRUE(state_.LinkByIndex(Ifindex(1))->has_inet_conf);
  EXPECT_TRUE(state_.IsConfiguredAddress(0x0a000101));
  EXPECT_TRUE(state_.IsLocalAddress(0x0a000101));
  EXPECT_EQ(state_.AddrType(0x0a0001ff), ipv4::RouteType::kBroadcast);
}

TEST_F(RtnlSyncDiffTest, AdminDownFlushAndCarrierLossFollowTheKernel) {
  std::mt19937 rng(99);
  WriteRoutes(rng, 3000);
  InstallBatch();
  RtnlSync sync(&state_, RtnlSyncOptions{.redump_debounce = absl::Milliseconds(50)});
  ASSERT_TRUE(sync.Start().ok());
  int v2 = Ifindex(2);

  // Admin down: the kernel silently flushes routes through v2 (multipath routes
  // keep a dead leg) and says only RTM_NEWLINK.
  ASSERT_EQ(Sh("ip link set v2 down"), 0);
  Pump(sync);
  EXPECT_GE(sync.counters().route_redumps, 1u);
  EXPECT_EQ(Mirror(), KernelRouteIdentities());
  int single_leg_on_v2 = 0;
  state_.fib().ForEach([&](const ipv4::Route& r) {
    if (r.nexthops.size() == 1 && r.nexthops[0].ifindex == v2 && r.scope < ipv4::kScopeHost) {
      ++single_leg_on_v2;
    }
  });
  EXPECT_EQ(single_leg_on_v2, 0);
  EXPECT_EQ(Compare(rng, 3000, false), 0);

  // Admin up: the connected route comes back; flushed gateway routes do not.
  ASSERT_EQ(Sh("ip link set v2 up"), 0);
  Pump(sync);
  EXPECT_EQ(Mirror(), KernelRouteIdentities());
  EXPECT_EQ(Compare(rng, 2000, false), 0);

  // Carrier loss on v1 with ignore_routes_with_linkdown: its legs are skipped,
  // with no route message at all.
  ASSERT_EQ(Sh("sysctl -qw net.ipv4.conf.v1.ignore_routes_with_linkdown=1 && ip link set p1 down"), 0);
  Pump(sync);
  const ipv4::Link* v1 = state_.LinkByName("v1");
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ(v1->flags & IFF_LOWER_UP, 0u);
  EXPECT_NE(v1->inet_conf[28], 0);
  EXPECT_EQ(Mirror(), KernelRouteIdentities());
  EXPECT_EQ(Compare(rng, 3000, false), 0);
}

TEST_F(RtnlSyncDiffTest, DeletedRoutesDisappear) {
  std::mt19937 rng(7);
  std::vector<std::string> dels;
  WriteRoutes(rng, 2000, &dels);
  InstallBatch();
  RtnlSync sync(&state_);
  ASSERT_TRUE(sync.Start().ok());
  size_t before = state_.fib().size();
  {
    std::ofstream f(batch_);
    for (size_t i = 0; i < dels.size(); i += 3) f << dels[i] << "\n";
  }
  InstallBatch();
  Pump(sync);
  EXPECT_LT(state_.fib().size(), before - 300);
  EXPECT_EQ(Mirror(), KernelRouteIdentities());
  EXPECT_EQ(Compare(rng, 2000, false), 0);
}

TEST_F(RtnlSyncDiffTest, OverflowTriggersFullResync) {
  std::mt19937 rng(5);
  // A tiny receive buffer, and nobody reading while 5000 routes go in.
  RtnlSync sync(&state_, RtnlSyncOptions{.rcvbuf_bytes = 16 << 10});
  ASSERT_TRUE(sync.Start().ok());
  WriteRoutes(rng, 5000);
  InstallBatch();
  Pump(sync);
  EXPECT_GE(sync.counters().overruns, 1u);
  EXPECT_GE(sync.counters().resyncs, 1u);
  EXPECT_EQ(Mirror(), KernelRouteIdentities());
  EXPECT_EQ(Compare(rng, 2000, false), 0);
}

// Static proxy entries: nothing announces them, so the mirror follows them by dumps
// (at start, RefreshUnannounced, route re-dumps) and drops a device's own entries when
// it goes admin down, as arp_ifdown does in the kernel.
TEST_F(RtnlSyncDiffTest, ProxyEntriesFollowDumpsAndAdminDown) {
  // This kernel (6.18) leaves a destroyed namespace's device-less proxy entries behind,
  // and a new namespace that happens to get the dead one's address sees them in its own
  // table (and answers for them). pvland mirrors what the kernel has; the test starts
  // from an empty table and deletes its device-less entries on the way out.
  ASSERT_EQ(Sh("ip neigh show proxy | while read a rest; do ip neigh del proxy $a; done; "
               "test -z \"$(ip neigh show proxy)\""),
            0);
  struct DropUnbound {
    ~DropUnbound() { (void)system("ip neigh del proxy 10.9.0.2 2>/dev/null; ip neigh del proxy 10.9.0.4 2>/dev/null"); }
  } drop_unbound;
  ASSERT_EQ(Sh("ip neigh add proxy 10.9.0.1 dev v1 && ip neigh add proxy 10.9.0.2"), 0);
  RtnlSync sync(&state_, RtnlSyncOptions{.redump_debounce = absl::Milliseconds(50)});
  std::vector<RtnlChange> changes;
  sync.SetChangeCallback([&](RtnlChange c) { changes.push_back(c); });
  ASSERT_TRUE(sync.Start().ok());
  const int v1 = Ifindex(1), v2 = Ifindex(2);
  auto ExpectEntries = [&](size_t want) {
    if (state_.proxy_entry_count() != want)
      state_.ForEachProxyEntry([](const ipv4::ProxyEntry& e) {
        std::fprintf(stderr, "proxy entry %s ifindex %d\n", FormatIpv4(e.address).c_str(), e.ifindex);
      });
    EXPECT_EQ(state_.proxy_entry_count(), want);
  };
  ExpectEntries(2);
  EXPECT_TRUE(state_.HasProxyEntry(0x0a090001, v1));
  EXPECT_FALSE(state_.HasProxyEntry(0x0a090001, v2));
  EXPECT_TRUE(state_.HasProxyEntry(0x0a090002, v2));  // no device: every device

  // Added and deleted without a notification: seen at the next refresh.
  ASSERT_EQ(Sh("ip neigh add proxy 10.9.0.3 dev v2 && ip neigh del proxy 10.9.0.2"), 0);
  Pump(sync, 150);
  EXPECT_FALSE(state_.HasProxyEntry(0x0a090003, v2));
  sync.RefreshUnannounced();
  EXPECT_TRUE(state_.HasProxyEntry(0x0a090003, v2));
  EXPECT_FALSE(state_.HasProxyEntry(0x0a090002, v2));
  ExpectEntries(2);
  EXPECT_NE(std::find(changes.begin(), changes.end(), RtnlChange::kProxyEntry), changes.end());
  changes.clear();
  sync.RefreshUnannounced();  // nothing changed: no change reported
  EXPECT_EQ(std::find(changes.begin(), changes.end(), RtnlChange::kProxyEntry), changes.end());

  // Admin down flushes v2's entries in the kernel, silently; v1's and unbound ones stay.
  ASSERT_EQ(Sh("ip neigh add proxy 10.9.0.4 && ip link set v2 down"), 0);
  Pump(sync);
  EXPECT_FALSE(state_.HasProxyEntry(0x0a090003, v2));
  EXPECT_TRUE(state_.HasProxyEntry(0x0a090001, v1));
  EXPECT_TRUE(state_.HasProxyEntry(0x0a090004, v1));  // the route re-dump also re-read them
  ASSERT_EQ(Sh("test -z \"$(ip neigh show proxy dev v2)\""), 0);

  // A device that goes away takes its entries along.
  ASSERT_EQ(Sh("ip link del v1"), 0);
  Pump(sync);
  EXPECT_FALSE(state_.HasProxyEntry(0x0a090001, v1));
  EXPECT_EQ(state_.proxy_entry_count(), 1u);
}

}  // namespace
}  // namespace pvland::netlink
