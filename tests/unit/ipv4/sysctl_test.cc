// Value ranges and key spelling of `pvlanctl sysctl`, against what the target
// kernel's /proc/sys accepted and printed in a scratch namespace (6.18.44, HZ=250).
#include "daemon/ipv4/sysctl.h"

#include "daemon/ipv4/neigh_parms.h"
#include "daemon/core/proc_int.h"
#include "gtest/gtest.h"

namespace pvland::ipv4 {
namespace {

struct IntRow {
  std::string_view text;
  bool accepted;
  int32_t value;  // when accepted and not empty
};

class ProcDointvecTest : public ::testing::TestWithParam<IntRow> {};

TEST_P(ProcDointvecTest, AcceptsWhatTheKernelAccepts) {
  const IntRow& r = GetParam();
  auto v = ParseProcDointvec(r.text);
  ASSERT_EQ(v.ok(), r.accepted) << "'" << r.text << "' " << v.status();
  if (r.accepted) {
    ASSERT_TRUE(v->has_value()) << r.text;
    EXPECT_EQ(**v, r.value) << r.text;
  } else {
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// Every devconf key is proc_dointvec on the target kernel: no key narrows the range.
INSTANTIATE_TEST_SUITE_P(
    ObservedOnKernel, ProcDointvecTest,
    ::testing::Values(IntRow{"-2147483648", true, INT32_MIN}, IntRow{"-1", true, -1},
                      IntRow{"0", true, 0}, IntRow{"8", true, 8}, IntRow{"100", true, 100},
                      IntRow{"2147483647", true, INT32_MAX}, IntRow{"0x10", true, 16},
                      IntRow{"0X10", true, 16}, IntRow{" 7", true, 7}, IntRow{"1 2", true, 1},
                      IntRow{"010", true, 8}, IntRow{"5 ", true, 5}, IntRow{"5\n", true, 5},
                      IntRow{"7\n8", true, 7}, IntRow{"1\t2", true, 1},
                      IntRow{"-0x10", true, -16}, IntRow{"2147483648", false, 0},
                      IntRow{"-2147483649", false, 0}, IntRow{"99999999999", false, 0},
                      IntRow{"abc", false, 0}, IntRow{"+3", false, 0}, IntRow{"5x", false, 0},
                      IntRow{"-", false, 0}, IntRow{"0x", false, 0}, IntRow{"1,", false, 0},
                      IntRow{"08", false, 0}, IntRow{"0000000000000000000001", false, 0},
                      IntRow{"000000000000000000001", false, 0},   // 21 chars: too long
                      IntRow{"00000000000000000001", true, 1}));  // 20 chars: fine

TEST(ProcIntTest, EmptyWriteChangesNothing) {
  auto v = ParseProcDointvec("");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
  auto w = ParseProcDointvec("  \n");
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->has_value());
}

TEST(ProcIntTest, ProxyQlenIsMinmaxZeroToIntMax) {
  EXPECT_EQ(**ParseProxyQlen("0"), 0);
  EXPECT_EQ(**ParseProxyQlen("2147483647"), INT32_MAX);
  EXPECT_EQ(**ParseProxyQlen("0x10"), 16);
  EXPECT_EQ(**ParseProxyQlen("64 1"), 64);
  EXPECT_FALSE(ParseProxyQlen("-1").ok());
  EXPECT_FALSE(ParseProxyQlen("-2147483648").ok());
  EXPECT_FALSE(ParseProxyQlen("2147483648").ok());
  EXPECT_FALSE(ParseProxyQlen("5x").ok());
}

struct DelayRow {
  std::string_view text;
  bool accepted;
  std::string_view reads_back;  // what /proc printed afterwards
};

class ProxyDelayTest : public ::testing::TestWithParam<DelayRow> {};

TEST_P(ProxyDelayTest, StoresJiffiesAsTheKernelDoes) {
  const DelayRow& r = GetParam();
  auto j = ParseProxyDelayToJiffies(r.text);
  ASSERT_EQ(j.ok(), r.accepted) << r.text << " " << j.status();
  if (!r.accepted) return;
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ(FormatProxyDelay(**j), r.reads_back) << r.text;
}

INSTANTIATE_TEST_SUITE_P(
    ObservedOnKernel, ProxyDelayTest,
    ::testing::Values(
        DelayRow{"0", true, "0"}, DelayRow{"1", true, "0"}, DelayRow{"2", true, "2"},
        DelayRow{"3", true, "2"}, DelayRow{"5", true, "4"}, DelayRow{"7", true, "6"},
        DelayRow{"80", true, "80"}, DelayRow{"100", true, "100"},
        DelayRow{"0x50", true, "80"}, DelayRow{"050", true, "40"},
        DelayRow{"80 90", true, "80"}, DelayRow{"21474836", true, "21474836"},
        DelayRow{"21474837", true, "21474836"}, DelayRow{"2147483647", true, "429496728"},
        DelayRow{"2147483648", true, "429496729"}, DelayRow{"4294967295", true, "858993458"},
        DelayRow{"4294967296", true, "-858993459"}, DelayRow{"1717986918", true, "-0"},
        DelayRow{"1717986919", true, "0"}, DelayRow{"858993460", true, "-858993458"},
        DelayRow{"3689348814741910300", true, "-68719500"},
        DelayRow{"3689348814741910301", false, ""},
        DelayRow{"-3689348814741910301", false, ""},
        DelayRow{"-1", true, "-0"}, DelayRow{"-2147483648", true, "-0"},
        DelayRow{"-21474837", true, "-0"}, DelayRow{"abc", false, ""},
        DelayRow{"9223372036854775807", false, ""}));

TEST(ProxyDelayTest, DefaultIsEightyTicksTwoHundredJiffies) {
  NeighParms p;
  EXPECT_EQ(p.proxy_delay_jiffies, 200);
  EXPECT_EQ(p.proxy_qlen, 64);
  EXPECT_EQ(FormatProxyDelay(p.proxy_delay_jiffies), "80");
  EXPECT_EQ(**ParseProxyDelayToJiffies("1"), 2);  // reads 0, still not "no delay"
  EXPECT_EQ(**ParseProxyDelayToJiffies("-5"), -1);
}

class SysctlKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.AddPort("eth1").ok());
    ASSERT_TRUE(store_.AddPort("eth0.10").ok());
  }
  DevconfStore store_;
};

TEST_F(SysctlKeysTest, ReadsAndWritesEveryServedKey) {
  ASSERT_TRUE(SysctlWriteAssignment(store_, "net.ipv4.conf.eth1.proxy_arp=1").ok());
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.conf.eth1.proxy_arp"), "1");
  ASSERT_TRUE(SysctlWrite(store_, "net.ipv4.conf.all.rp_filter", "2").ok());
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.conf.all.rp_filter"), "2");
  ASSERT_TRUE(SysctlWrite(store_, "net.ipv4.conf.default.medium_id", "-1").ok());
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.conf.default.medium_id"), "-1");
  ASSERT_TRUE(SysctlWrite(store_, "net.ipv4.neigh.eth1.proxy_delay", "300").ok());
  EXPECT_EQ(store_.Neigh("eth1")->proxy_delay_jiffies, 750);
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.neigh.eth1.proxy_delay"), "300");
  ASSERT_TRUE(SysctlWrite(store_, "net.ipv4.neigh.eth1.proxy_qlen", "3").ok());
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.neigh.eth1.proxy_qlen"), "3");
  for (std::string_view knob : {"forwarding", "proxy_arp_pvlan", "log_martians",
                                "accept_local", "arp_ignore", "arp_filter", "send_redirects",
                                "route_localnet", "drop_gratuitous_arp", "arp_accept",
                                "bc_forwarding", "src_valid_mark", "shared_media"}) {
    const std::string key = std::string("net.ipv4.conf.eth1.") + std::string(knob);
    ASSERT_TRUE(SysctlWrite(store_, key, "3").ok()) << key;
    EXPECT_EQ(*SysctlRead(store_, key), "3") << key;
  }
}

TEST_F(SysctlKeysTest, SlashFormAndDottedDeviceNames) {
  ASSERT_TRUE(SysctlWrite(store_, "net/ipv4/conf/eth0.10/rp_filter", "1").ok());
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.conf.eth0/10.rp_filter"), "1");
  EXPECT_EQ(store_.Find("eth0.10")->Get(Knob::kRpFilter), 1);
  // In the dotted form a dot always separates, as sysctl(8) reads it.
  EXPECT_EQ(SysctlRead(store_, "net.ipv4.conf.eth0.10.rp_filter").status().code(),
            absl::StatusCode::kNotFound);
  auto k = ParseSysctlKey("net/ipv4/neigh/eth0.10/proxy_qlen", store_);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->Canonical(), "net.ipv4.neigh.eth0/10.proxy_qlen");
}

TEST_F(SysctlKeysTest, ClearErrors) {
  EXPECT_EQ(SysctlRead(store_, "net.ipv4.conf.eth1.nosuch").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SysctlRead(store_, "net.ipv4.conf.eth9.proxy_arp").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SysctlRead(store_, "net.ipv4.neigh.all.proxy_delay").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SysctlRead(store_, "net.ipv4.neigh.default.proxy_qlen").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SysctlRead(store_, "net.ipv4.neigh.eth1.locktime").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SysctlRead(store_, "net.ipv6.conf.eth1.forwarding").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SysctlRead(store_, "").status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status bad = SysctlWrite(store_, "net.ipv4.conf.eth1.proxy_arp", "abc");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("net.ipv4.conf.eth1.proxy_arp"), absl::string_view::npos);
  EXPECT_EQ(SysctlWrite(store_, "net.ipv4.conf.all.mc_forwarding", "1").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.conf.all.mc_forwarding"), "0");
  EXPECT_EQ(SysctlWriteAssignment(store_, "net.ipv4.conf.eth1.proxy_arp").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SysctlWrite(store_, "net.ipv4.neigh.eth1.proxy_qlen", "-1").code(),
            absl::StatusCode::kInvalidArgument);
  // An empty value is accepted and changes nothing, as a 0-byte write to /proc.
  ASSERT_TRUE(SysctlWrite(store_, "net.ipv4.conf.eth1.medium_id", "4").ok());
  ASSERT_TRUE(SysctlWriteAssignment(store_, "net.ipv4.conf.eth1.medium_id=").ok());
  EXPECT_EQ(*SysctlRead(store_, "net.ipv4.conf.eth1.medium_id"), "4");
}

TEST_F(SysctlKeysTest, LogBudgetHasTheKernelsNamesDefaultsAndLimits) {
  EXPECT_EQ(*SysctlRead(store_, "net.core.message_cost"), "5");
  EXPECT_EQ(*SysctlRead(store_, "net/core/message_burst"), "10");
  ASSERT_TRUE(SysctlWrite(store_, "net.core.message_cost", "0").ok());
  ASSERT_TRUE(SysctlWrite(store_, "net.core.message_burst", "3").ok());
  EXPECT_EQ(store_.log_budget().message_cost_s, 0);
  EXPECT_EQ(store_.log_budget().message_burst, 3);
  // proc_dointvec_jiffies refuses what overflows INT_MAX jiffies at HZ=250.
  EXPECT_TRUE(SysctlWrite(store_, "net.core.message_cost", "8589934").ok());
  EXPECT_EQ(SysctlWrite(store_, "net.core.message_cost", "8589935").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SysctlRead(store_, "net.core.somaxconn").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SysctlKeysTest, ListsAllKeysOfAllDevices) {
  const std::vector<std::string> keys = SysctlListKeys(store_);
  // 33 conf keys for each of eth1, eth0.10, all, default; 2 neigh keys per port; the
  // log budget's 2.
  EXPECT_EQ(keys.size(), 4u * kDevconfMax + 2u * 2 + 2);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_NE(std::find(keys.begin(), keys.end(), "net.ipv4.conf.eth0/10.proxy_arp_pvlan"),
            keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "net.ipv4.neigh.eth1.proxy_delay"), keys.end());
}

}  // namespace
}  // namespace pvland::ipv4
