// The devconf table, the all/dev combination per key (§1.1) and the default
// inheritance rule (§2.13, case 57 of §4).
#include "daemon/ipv4/devconf.h"

#include "daemon/ipv4/devconf_knobs.h"
#include "gtest/gtest.h"

namespace pvland::ipv4 {
namespace {

TEST(DevconfKnobsTest, CompiledDefaultsMatchAFreshNamespace) {
  // Read from /proc/sys/net/ipv4/conf/{all,default} of a new namespace on 6.18.44.
  struct Row {
    std::string_view name;
    int32_t all, dflt;
  };
  const Row rows[] = {
      {"accept_local", 0, 0}, {"accept_redirects", 1, 1}, {"accept_source_route", 0, 1},
      {"arp_accept", 0, 0}, {"arp_announce", 0, 0}, {"arp_evict_nocarrier", 1, 1},
      {"arp_filter", 0, 0}, {"arp_ignore", 0, 0}, {"arp_notify", 0, 0},
      {"bc_forwarding", 0, 0}, {"bootp_relay", 0, 0}, {"disable_policy", 0, 0},
      {"disable_xfrm", 0, 0}, {"drop_gratuitous_arp", 0, 0},
      {"drop_unicast_in_l2_multicast", 0, 0}, {"force_igmp_version", 0, 0},
      {"forwarding", 0, 0}, {"igmpv2_unsolicited_report_interval", 10000, 10000},
      {"igmpv3_unsolicited_report_interval", 1000, 1000},
      {"ignore_routes_with_linkdown", 0, 0}, {"log_martians", 0, 0}, {"mc_forwarding", 0, 0},
      {"medium_id", 0, 0}, {"promote_secondaries", 0, 0}, {"proxy_arp", 0, 0},
      {"proxy_arp_pvlan", 0, 0}, {"route_localnet", 0, 0}, {"rp_filter", 0, 0},
      {"secure_redirects", 1, 1}, {"send_redirects", 1, 1}, {"shared_media", 1, 1},
      {"src_valid_mark", 0, 0}, {"tag", 0, 0},
  };
  ASSERT_EQ(std::size(rows), static_cast<size_t>(kDevconfMax));
  const DevconfArray all = CompiledAllDefaults();
  const DevconfArray dflt = CompiledDefaultDefaults();
  for (const Row& r : rows) {
    auto k = KnobByName(r.name);
    ASSERT_TRUE(k.has_value()) << r.name;
    EXPECT_EQ(all[KnobSlot(*k)], r.all) << r.name;
    EXPECT_EQ(dflt[KnobSlot(*k)], r.dflt) << r.name;
  }
  EXPECT_FALSE(KnobByName("nosuch").has_value());
  EXPECT_FALSE(InfoOf(Knob::kMcForwarding).writable);
  EXPECT_EQ(InfoOf(Knob::kArpEvictNocarrier).name, "arp_evict_nocarrier");
}

DevconfArray With(Knob k, int32_t v) {
  DevconfArray a{};
  a[KnobSlot(k)] = v;
  return a;
}

struct CombineRow {
  Knob knob;
  int32_t all, dev, effective;
};

class CombineTest : public ::testing::TestWithParam<CombineRow> {};

TEST_P(CombineTest, EffectiveValue) {
  const CombineRow& r = GetParam();
  const ConfView v(With(r.knob, r.all), With(r.knob, r.dev));
  EXPECT_EQ(v.Effective(r.knob), r.effective)
      << InfoOf(r.knob).name << " all=" << r.all << " dev=" << r.dev;
}

// §1.1 "all+dev combine" column, including the [V] rows (medium_id dev-only,
// arp_ignore MAX, rp_filter MAX).
INSTANTIATE_TEST_SUITE_P(
    Section1_1, CombineTest,
    ::testing::Values(
        CombineRow{Knob::kProxyArp, 1, 0, 1}, CombineRow{Knob::kProxyArp, 0, 1, 1},
        CombineRow{Knob::kProxyArp, 0, 0, 0}, CombineRow{Knob::kProxyArp, 0, 5, 1},
        CombineRow{Knob::kProxyArpPvlan, 1, 0, 1}, CombineRow{Knob::kLogMartians, 1, 0, 1},
        CombineRow{Knob::kAcceptLocal, 0, 1, 1}, CombineRow{Knob::kArpFilter, 1, 0, 1},
        CombineRow{Knob::kDropGratuitousArp, 0, -1, 1}, CombineRow{Knob::kRouteLocalnet, 1, 0, 1},
        CombineRow{Knob::kSendRedirects, 0, 1, 1}, CombineRow{Knob::kSrcValidMark, 1, 0, 1},
        CombineRow{Knob::kSharedMedia, 0, 0, 0},
        CombineRow{Knob::kRpFilter, 1, 0, 1}, CombineRow{Knob::kRpFilter, 2, 1, 2},
        CombineRow{Knob::kRpFilter, 0, 2, 2}, CombineRow{Knob::kRpFilter, 0, -1, 0},
        CombineRow{Knob::kArpIgnore, 8, 1, 8}, CombineRow{Knob::kArpIgnore, 0, 3, 3},
        CombineRow{Knob::kArpAccept, 2, 1, 2}, CombineRow{Knob::kArpAnnounce, 1, 2, 2},
        CombineRow{Knob::kMediumId, 5, 0, 0}, CombineRow{Knob::kMediumId, 5, -1, -1},
        CombineRow{Knob::kForwarding, 1, 0, 0}, CombineRow{Knob::kForwarding, 0, 1, 1},
        CombineRow{Knob::kTag, 7, 3, 3},
        CombineRow{Knob::kBcForwarding, 1, 0, 0}, CombineRow{Knob::kBcForwarding, 1, 1, 1},
        CombineRow{Knob::kArpEvictNocarrier, 1, 0, 0},
        CombineRow{Knob::kArpEvictNocarrier, 1, 1, 1},
        CombineRow{Knob::kAcceptSourceRoute, 0, 1, 0}, CombineRow{Knob::kMcForwarding, 1, 1, 1}));

TEST(ConfViewTest, AcceptRedirectsDependsOnForwarding) {
  DevconfArray all = With(Knob::kAcceptRedirects, 1);
  DevconfArray dev = With(Knob::kAcceptRedirects, 0);
  EXPECT_EQ(ConfView(all, dev).Effective(Knob::kAcceptRedirects), 1);  // host: OR
  dev[KnobSlot(Knob::kForwarding)] = 1;
  EXPECT_EQ(ConfView(all, dev).Effective(Knob::kAcceptRedirects), 0);  // router: AND
}

TEST(DevconfStoreTest, NewPortCopiesDefaultValuesAndBits) {
  DevconfStore s;
  EXPECT_EQ(s.Default().Get(Knob::kAcceptSourceRoute), 1);
  EXPECT_EQ(s.All().Get(Knob::kAcceptSourceRoute), 0);
  ASSERT_TRUE(s.Write("default", Knob::kArpIgnore, 2).ok());
  ASSERT_TRUE(s.AddPort("p1").ok());
  EXPECT_EQ(s.Find("p1")->Get(Knob::kArpIgnore), 2);
  EXPECT_EQ(s.Find("p1")->Get(Knob::kAcceptSourceRoute), 1);
  // The bit came along: a device created after dflt.arp_ignore was written does not
  // follow later writes of it ([V], §2.13).
  EXPECT_TRUE(s.Find("p1")->IsSet(Knob::kArpIgnore));
  ASSERT_TRUE(s.Write("default", Knob::kArpIgnore, 1).ok());
  EXPECT_EQ(s.Find("p1")->Get(Knob::kArpIgnore), 2);
}

TEST(DevconfStoreTest, Case57DefaultReachesOnlyUntouchedAddresslessPorts) {
  DevconfStore s;
  ASSERT_TRUE(s.AddPort("va0").ok());  // no address
  ASSERT_TRUE(s.AddPort("va1").ok());
  s.OnAddressAdded("va1");             // got an address: every bit set
  ASSERT_TRUE(s.AddPort("va2").ok());
  ASSERT_TRUE(s.Write("va2", Knob::kProxyArp, 0).ok());  // written, same value
  ASSERT_TRUE(s.Write("default", Knob::kProxyArp, 1).ok());
  EXPECT_EQ(s.Find("va0")->Get(Knob::kProxyArp), 1);
  EXPECT_EQ(s.Find("va1")->Get(Knob::kProxyArp), 0);
  EXPECT_EQ(s.Find("va2")->Get(Knob::kProxyArp), 0);
  // A port created afterwards gets 1 and no longer follows default.
  ASSERT_TRUE(s.AddPort("va3").ok());
  EXPECT_EQ(s.Find("va3")->Get(Knob::kProxyArp), 1);
  ASSERT_TRUE(s.Write("default", Knob::kProxyArp, 0).ok());
  EXPECT_EQ(s.Find("va3")->Get(Knob::kProxyArp), 1);
  EXPECT_EQ(s.Find("va0")->Get(Knob::kProxyArp), 0);  // still follows
  // Other keys of va0 still follow too; va1 follows none.
  ASSERT_TRUE(s.Write("default", Knob::kRpFilter, 2).ok());
  EXPECT_EQ(s.Find("va0")->Get(Knob::kRpFilter), 2);
  EXPECT_EQ(s.Find("va1")->Get(Knob::kRpFilter), 0);
}

TEST(DevconfStoreTest, WritingAllDoesNotPropagateExceptForwarding) {
  DevconfStore s;
  ASSERT_TRUE(s.AddPort("p").ok());
  ASSERT_TRUE(s.Write("all", Knob::kProxyArp, 1).ok());
  EXPECT_EQ(s.Find("p")->Get(Knob::kProxyArp), 0);
  EXPECT_TRUE(s.View("p")->ProxyArp());  // ...but OR makes it effective
}

TEST(DevconfStoreTest, ForwardingSideEffects) {
  DevconfStore s;
  ASSERT_TRUE(s.AddPort("p").ok());
  // default/forwarding never propagates.
  ASSERT_TRUE(s.Write("default", Knob::kForwarding, 1).ok());
  EXPECT_EQ(s.Find("p")->Get(Knob::kForwarding), 0);
  ASSERT_TRUE(s.Write("default", Knob::kForwarding, 0).ok());
  // all/forwarding forces every device and default, and flips all.accept_redirects.
  ASSERT_TRUE(s.Write("all", Knob::kForwarding, 1).ok());
  EXPECT_EQ(s.Find("p")->Get(Knob::kForwarding), 1);
  EXPECT_EQ(s.Default().Get(Knob::kForwarding), 1);
  EXPECT_EQ(s.All().Get(Knob::kAcceptRedirects), 0);
  // A per-device write afterwards is honoured (forwarding is dev-only).
  ASSERT_TRUE(s.Write("p", Knob::kForwarding, 0).ok());
  EXPECT_FALSE(s.View("p")->Forwarding());
  // Writing the same all value again changes nothing (only a change propagates).
  ASSERT_TRUE(s.Write("all", Knob::kForwarding, 1).ok());
  EXPECT_EQ(s.Find("p")->Get(Knob::kForwarding), 0);
  ASSERT_TRUE(s.Write("all", Knob::kForwarding, 0).ok());
  EXPECT_EQ(s.Find("p")->Get(Knob::kForwarding), 0);
  EXPECT_EQ(s.All().Get(Knob::kAcceptRedirects), 1);
}

TEST(DevconfStoreTest, PortLifecycleAndErrors) {
  DevconfStore s;
  EXPECT_EQ(s.AddPort("all").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.AddPort("default").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(s.AddPort("p").ok());
  EXPECT_EQ(s.AddPort("p").code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(s.Write("p", Knob::kMediumId, 4).ok());
  ASSERT_TRUE(s.RenamePort("p", "q").ok());
  EXPECT_FALSE(s.HasPort("p"));
  EXPECT_EQ(s.Find("q")->Get(Knob::kMediumId), 4);
  EXPECT_EQ(s.Write("p", Knob::kMediumId, 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.Write("q", Knob::kMcForwarding, 1).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.PortNames(), std::vector<std::string>{"q"});
  ASSERT_TRUE(s.RemovePort("q").ok());
  EXPECT_EQ(s.RemovePort("q").code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(s.View("q").has_value());
}

}  // namespace
}  // namespace pvland::ipv4
