// The value syntax of traffic mirroring, shared by pvlanctl and pvland: every value
// parses to what it says, prints back in the same form, and a bad one is refused with
// the reason.
#include "include/pvland/mirror_values.h"

#include "gtest/gtest.h"

namespace pvland {
namespace {

TEST(MirrorDirection, AwsWordsAndTheirBits) {
  EXPECT_EQ(ParseMirrorDirection("egress"), kMirrorEgress);
  EXPECT_EQ(ParseMirrorDirection("ingress"), kMirrorIngress);
  EXPECT_EQ(ParseMirrorDirection("both"), kMirrorBoth);
  EXPECT_FALSE(ParseMirrorDirection("in"));
  EXPECT_FALSE(ParseMirrorDirection("Both"));
  for (uint8_t d : {kMirrorEgress, kMirrorIngress, kMirrorBoth})
    EXPECT_EQ(ParseMirrorDirection(MirrorDirectionName(d)), d);
}

TEST(MirrorName, LettersDigitsAndAFewMarks) {
  EXPECT_TRUE(CheckMirrorName("web-to-ids_1.a").ok());
  EXPECT_TRUE(CheckMirrorName(std::string(32, 'a')).ok());
  EXPECT_EQ(CheckMirrorName("").message(), "mirror session name is empty");
  EXPECT_NE(CheckMirrorName(std::string(33, 'a')).message().find("longer than 32"), std::string_view::npos);
  EXPECT_NE(CheckMirrorName("a b").message().find("may only hold"), std::string_view::npos);
  EXPECT_NE(CheckMirrorName("a/b").message().find("may only hold"), std::string_view::npos);
  EXPECT_NE(CheckMirrorName("-j").message().find("starts with '-'"), std::string_view::npos);
}

TEST(IpPrefix, Ipv4AndIpv6PrefixesAndHosts) {
  const IpPrefix a = *ParseIpPrefix("10.1.0.0/16", "src");
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.len, 16);
  EXPECT_EQ(FormatIpPrefix(a), "10.1.0.0/16");
  EXPECT_EQ(FormatIpPrefix(*ParseIpPrefix("10.1.2.3", "src")), "10.1.2.3/32");
  EXPECT_EQ(FormatIpPrefix(*ParseIpPrefix("0.0.0.0/0", "src")), "0.0.0.0/0");
  const IpPrefix b = *ParseIpPrefix("2001:db8::/32", "dst");
  EXPECT_TRUE(b.v6);
  EXPECT_EQ(FormatIpPrefix(b), "2001:db8::/32");
  EXPECT_EQ(FormatIpPrefix(*ParseIpPrefix("fe80::1", "dst")), "fe80::1/128");
  EXPECT_EQ(FormatIpPrefix(*ParseIpPrefix("10.0.0.128/25", "src")), "10.0.0.128/25");
}

TEST(IpPrefix, BadOnesNameTheProblem) {
  EXPECT_NE(ParseIpPrefix("10.0.0.1/24", "src").status().message().find("did you mean 10.0.0.0/24?"),
            std::string_view::npos);
  EXPECT_NE(ParseIpPrefix("2001:db8::1/64", "dst").status().message().find("did you mean 2001:db8::/64?"),
            std::string_view::npos);
  EXPECT_NE(ParseIpPrefix("10.0.0.0/33", "src").status().message().find("prefix length must be 0-32"),
            std::string_view::npos);
  EXPECT_NE(ParseIpPrefix("::/129", "src").status().message().find("0-128"), std::string_view::npos);
  EXPECT_NE(ParseIpPrefix("10.0.0/8", "src").status().message().find("must be an IPv4 or IPv6 prefix"),
            std::string_view::npos);
  EXPECT_FALSE(ParseIpPrefix("10.0.0.0/", "src").ok());
  EXPECT_FALSE(ParseIpPrefix("any", "src").ok());
}

TEST(IpPrefix, ContainsOnlyItsFamilyAndBits) {
  const IpPrefix p = *ParseIpPrefix("10.0.0.128/25", "src");
  const uint8_t in[4] = {10, 0, 0, 200}, out[4] = {10, 0, 0, 127};
  EXPECT_TRUE(p.Contains(false, in));
  EXPECT_FALSE(p.Contains(false, out));
  uint8_t v6[16] = {10, 0, 0, 200};
  EXPECT_FALSE(p.Contains(true, v6)) << "an IPv4 prefix never holds an IPv6 address";
  const IpPrefix all = *ParseIpPrefix("0.0.0.0/0", "src");
  EXPECT_TRUE(all.Contains(false, out));
  EXPECT_FALSE(all.Contains(true, v6));
  const IpPrefix q = *ParseIpPrefix("2001:db8::/33", "dst");
  uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0x7f};
  uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0x80};
  EXPECT_TRUE(q.Contains(true, a));
  EXPECT_FALSE(q.Contains(true, b));
}

TEST(PortRange, OnePortOrARange) {
  EXPECT_EQ(*ParsePortRange("80", "dport"), (PortRange{80, 80}));
  EXPECT_EQ(*ParsePortRange("1024-65535", "sport"), (PortRange{1024, 65535}));
  EXPECT_EQ(FormatPortRange({80, 80}), "80");
  EXPECT_EQ(FormatPortRange({0, 1023}), "0-1023");
  EXPECT_NE(ParsePortRange("90-80", "dport").status().message().find("ends below its start"), std::string_view::npos);
  EXPECT_NE(ParsePortRange("65536", "dport").status().message().find("dport must be 0-65535"), std::string_view::npos);
  EXPECT_FALSE(ParsePortRange("80-", "dport").ok());
  EXPECT_FALSE(ParsePortRange("http", "dport").ok());
  EXPECT_TRUE((PortRange{10, 20}).Contains(20));
  EXPECT_FALSE((PortRange{10, 20}).Contains(21));
}

TEST(IpProtocol, NamesNumbersAndAll) {
  EXPECT_EQ(*ParseIpProtocol("tcp"), std::optional<uint8_t>(6));
  EXPECT_EQ(*ParseIpProtocol("udp"), std::optional<uint8_t>(17));
  EXPECT_EQ(*ParseIpProtocol("icmp"), std::optional<uint8_t>(1));
  EXPECT_EQ(*ParseIpProtocol("icmpv6"), std::optional<uint8_t>(58));
  EXPECT_EQ(*ParseIpProtocol("132"), std::optional<uint8_t>(132));
  EXPECT_EQ(*ParseIpProtocol("0"), std::optional<uint8_t>(0)) << "0 is IPv6 hop-by-hop, not 'all'";
  EXPECT_EQ(*ParseIpProtocol("all"), std::nullopt);
  EXPECT_EQ(IpProtocolName(6), "tcp");
  EXPECT_EQ(IpProtocolName(132), "132");
  EXPECT_EQ(IpProtocolName(std::nullopt), "all");
  EXPECT_NE(ParseIpProtocol("256").status().message().find("tcp, udp, icmp, icmpv6, all or a number 0-255"),
            std::string_view::npos);
  EXPECT_FALSE(ParseIpProtocol("TCP").ok());
}

TEST(MirrorRuleFields, PortsNeedTcpOrUdpAndOneFamily) {
  EXPECT_TRUE(CheckMirrorRuleFields(6, std::nullopt, std::nullopt, true).ok());
  EXPECT_TRUE(CheckMirrorRuleFields(17, std::nullopt, std::nullopt, true).ok());
  EXPECT_NE(CheckMirrorRuleFields(1, std::nullopt, std::nullopt, true).message().find("need protocol tcp or udp"),
            std::string_view::npos);
  EXPECT_NE(CheckMirrorRuleFields(std::nullopt, std::nullopt, std::nullopt, true).message().find("protocol all"),
            std::string_view::npos);
  EXPECT_TRUE(CheckMirrorRuleFields(std::nullopt, std::nullopt, std::nullopt, false).ok());
  const auto v4 = ParseIpPrefix("10.0.0.0/8", "src");
  const auto v6 = ParseIpPrefix("2001:db8::/32", "dst");
  EXPECT_NE(CheckMirrorRuleFields(std::nullopt, *v4, *v6, false).message().find("different address families"),
            std::string_view::npos);
  EXPECT_TRUE(CheckMirrorRuleFields(std::nullopt, *v4, std::nullopt, false).ok());
}

}  // namespace
}  // namespace pvland
