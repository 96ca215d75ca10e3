// Filter rules over parsed frames: what a frame offers a rule (FactsOf), and each match
// field alone and together, as AWS describes a Traffic Mirroring filter rule.
#include "daemon/mirror/rule.h"

#include <gtest/gtest.h>

#include "tests/unit/mirror/frames.h"

namespace pvland::mirror {
namespace {

using testing::FrameSpec;
using testing::Parse;

Rule Accept() { return Rule{.number = 1}; }

bool Hits(const Rule& r, const FrameSpec& s) {
  auto f = Parse(s);
  auto facts = FactsOf(f->p);
  return facts && Matches(r, *facts);
}

TEST(FactsOf, IpFramesOnly) {
  auto udp = Parse({});
  auto facts = FactsOf(udp->p);
  ASSERT_TRUE(facts);
  EXPECT_FALSE(facts->v6);
  EXPECT_EQ(facts->proto, kIpProtoUdp);
  EXPECT_TRUE(facts->has_ports);
  EXPECT_EQ(facts->sport, 1000);
  EXPECT_EQ(facts->dport, 80);
  EXPECT_EQ(facts->src[3], 1);
  EXPECT_EQ(facts->dst[3], 2);
  EXPECT_FALSE(FactsOf(Parse({.arp = true})->p)) << "ARP is never mirrored";
  auto v6 = Parse({.v6 = true, .proto = kIpProtoTcp});
  ASSERT_TRUE(FactsOf(v6->p));
  EXPECT_TRUE(FactsOf(v6->p)->v6);
  EXPECT_EQ(FactsOf(v6->p)->src[15], 1);
  EXPECT_EQ(FactsOf(v6->p)->dst[15], 2);
  auto tagged = Parse({.vid = 10});
  ASSERT_TRUE(FactsOf(tagged->p)) << "a tag does not hide the IP header";
  EXPECT_EQ(FactsOf(tagged->p)->dport, 80);
}

TEST(FactsOf, LaterFragmentsHaveNoPortsFirstOnesDo) {
  auto first = Parse({.frag = 0x2000});  // more fragments, offset 0
  EXPECT_TRUE(FactsOf(first->p)->has_ports);
  auto later = Parse({.frag = 0x00b9});  // offset 185 * 8
  ASSERT_TRUE(FactsOf(later->p));
  EXPECT_FALSE(FactsOf(later->p)->has_ports);
  EXPECT_EQ(FactsOf(later->p)->proto, kIpProtoUdp) << "the protocol is known for every fragment";
}

TEST(FactsOf, AMalformedIpHeaderIsNotAnIpFrame) {
  auto f = testing::BuildFrame({});
  f[14] = 0x44;  // IHL 4
  testing::Parsed bad(f);
  EXPECT_FALSE(FactsOf(bad.p));
}

TEST(Matches, NoFieldMatchesEveryIpFrame) {
  EXPECT_TRUE(Hits(Accept(), {}));
  EXPECT_TRUE(Hits(Accept(), {.v6 = true}));
  EXPECT_TRUE(Hits(Accept(), {.proto = kIpProtoIcmp}));
  EXPECT_TRUE(Hits(Accept(), {.frag = 0x0010}));
}

TEST(Matches, Protocol) {
  Rule r = Accept();
  r.protocol = kIpProtoTcp;
  EXPECT_TRUE(Hits(r, {.proto = kIpProtoTcp}));
  EXPECT_TRUE(Hits(r, {.v6 = true, .proto = kIpProtoTcp}));
  EXPECT_FALSE(Hits(r, {.proto = kIpProtoUdp}));
  r.protocol = kIpProtoIcmp;
  EXPECT_FALSE(Hits(r, {.v6 = true, .proto = kIpProtoIcmpv6})) << "icmp is not icmpv6";
}

TEST(Matches, PrefixesOfTheirOwnFamilyOnly) {
  Rule r = Accept();
  r.src = *ParseIpPrefix("10.0.0.0/30", "src");
  EXPECT_TRUE(Hits(r, {}));
  EXPECT_FALSE(Hits(r, {.src4 = {10, 0, 0, 4}}));
  EXPECT_FALSE(Hits(r, {.v6 = true})) << "an IPv4 prefix does not match IPv6";
  r.src.reset();
  r.dst = *ParseIpPrefix("2001:db8::2/128", "dst");
  EXPECT_TRUE(Hits(r, {.v6 = true}));
  EXPECT_FALSE(Hits(r, {.v6 = true, .dst6_last = 3}));
  EXPECT_FALSE(Hits(r, {}));
  r.dst = *ParseIpPrefix("0.0.0.0/0", "dst");
  EXPECT_TRUE(Hits(r, {}));
  EXPECT_FALSE(Hits(r, {.v6 = true})) << "0.0.0.0/0 is every IPv4 address, no IPv6 one";
}

TEST(Matches, PortRangesNeedTheL4Header) {
  Rule r = Accept();
  r.protocol = kIpProtoUdp;
  r.dport = PortRange{80, 80};
  EXPECT_TRUE(Hits(r, {}));
  EXPECT_FALSE(Hits(r, {.dport = 81}));
  EXPECT_TRUE(Hits(r, {.frag = 0x2000})) << "a first fragment carries the ports";
  EXPECT_FALSE(Hits(r, {.frag = 0x0010})) << "a later fragment has none";
  r.sport = PortRange{1000, 1999};
  EXPECT_TRUE(Hits(r, {.sport = 1999}));
  EXPECT_FALSE(Hits(r, {.sport = 2000}));
  r.protocol = kIpProtoTcp;
  EXPECT_TRUE(Hits(r, {.v6 = false, .proto = kIpProtoTcp}));
  EXPECT_FALSE(Hits(r, {})) << "udp is not tcp";
}

TEST(Matches, AllFieldsTogether) {
  Rule r = Accept();
  r.protocol = kIpProtoTcp;
  r.src = *ParseIpPrefix("10.0.0.0/24", "src");
  r.dst = *ParseIpPrefix("10.0.0.2/32", "dst");
  r.dport = PortRange{80, 80};
  EXPECT_TRUE(Hits(r, {.proto = kIpProtoTcp}));
  EXPECT_FALSE(Hits(r, {.proto = kIpProtoTcp, .dst4 = {10, 0, 0, 3}}));
  EXPECT_FALSE(Hits(r, {.proto = kIpProtoTcp, .src4 = {10, 0, 1, 1}}));
  EXPECT_FALSE(Hits(r, {.proto = kIpProtoTcp, .dport = 443}));
}

TEST(RuleCheck, RefusesWhatCouldNeverMatch) {
  Rule r = Accept();
  EXPECT_TRUE(r.Check().ok());
  r.number = 0;
  EXPECT_FALSE(r.Check().ok());
  r.number = 32767;
  EXPECT_FALSE(r.Check().ok());
  r.number = 32766;
  r.dport = PortRange{22, 22};
  EXPECT_NE(r.Check().message().find("need protocol tcp or udp"), std::string_view::npos);
  r.protocol = kIpProtoTcp;
  EXPECT_TRUE(r.Check().ok());
  r.src = *ParseIpPrefix("10.0.0.0/8", "src");
  r.dst = *ParseIpPrefix("::/0", "dst");
  EXPECT_NE(r.Check().message().find("different address families"), std::string_view::npos);
}

}  // namespace
}  // namespace pvland::mirror
