#include "ctl/cli/values.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pvland::ctl {
namespace {

using ::testing::HasSubstr;

struct AllowedCase {
  const char* in;
  const char* canonical;
};

class AllowedList : public ::testing::TestWithParam<AllowedCase> {};

TEST_P(AllowedList, IsNormalised) {
  auto out = ParseAllowedList(GetParam().in);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, GetParam().canonical);
  // The canonical form reads back as itself, so `show` output can be fed to `set`.
  auto again = ParseAllowedList(*out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *out);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AllowedList,
    ::testing::Values(AllowedCase{"all", "all"}, AllowedCase{"none", "none"},
                      AllowedCase{"10", "10"}, AllowedCase{"20,10", "10,20"},
                      AllowedCase{"10,11", "10-11"}, AllowedCase{"10-20,15-25", "10-25"},
                      AllowedCase{"5,3,4,1", "1,3-5"}, AllowedCase{"7-7", "7"},
                      AllowedCase{"10,10,10", "10"}, AllowedCase{"1-4094", "all"},
                      AllowedCase{"1-2000,2001-4094", "all"}, AllowedCase{"2-4094", "2-4094"},
                      AllowedCase{"4094,1", "1,4094"}, AllowedCase{"010", "10"}));

TEST(ParseUint, EnforcesRangeAndDigitsOnly) {
  EXPECT_EQ(*ParseUint("0", 0, 5, "x"), 0u);
  EXPECT_EQ(*ParseUint("5", 0, 5, "x"), 5u);
  EXPECT_EQ(ParseUint("6", 0, 5, "x").status().message(), "x must be 0-5, got 6");
  EXPECT_EQ(ParseUint("", 0, 5, "x").status().message(), "x must be a number 0-5, got ''");
  EXPECT_EQ(ParseUint(" 1", 0, 5, "x").status().message(), "x must be a number 0-5, got ' 1'");
  EXPECT_EQ(ParseUint("1 ", 0, 5, "x").status().message(), "x must be a number 0-5, got '1 '");
  EXPECT_EQ(ParseUint("0x1", 0, 5, "x").status().message(), "x must be a number 0-5, got '0x1'");
  EXPECT_EQ(ParseUint("18446744073709551616", 0, 5, "x").status().message(),
            "x must be 0-5, got 18446744073709551616");
}

TEST(ParseVlanId, ReservedIdsAreRejected) {
  EXPECT_EQ(*ParseVlanId("1", "vlan"), 1);
  EXPECT_EQ(*ParseVlanId("4094", "vlan"), 4094);
  EXPECT_EQ(ParseVlanId("0", "vlan").status().message(), "vlan must be 1-4094, got 0");
  EXPECT_EQ(ParseVlanId("4095", "native").status().message(), "native must be 1-4094, got 4095");
}

TEST(ParseOnOff, ExactWordsOnly) {
  EXPECT_EQ(*ParseOnOff("on", "k"), true);
  EXPECT_EQ(*ParseOnOff("off", "k"), false);
  for (const char* bad : {"1", "0", "true", "On", "yes", ""})
    EXPECT_EQ(ParseOnOff(bad, "k").status().message(),
              std::string("k must be on or off, got '") + bad + "'");
}

TEST(Mac, ParsesAndFormatsCanonically) {
  auto m = ParseMac("02:AB:c:0:00:ff");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(FormatMac(*m), "02:ab:0c:00:00:ff");
  EXPECT_FALSE(IsGroupMac(*m));
  EXPECT_TRUE(IsGroupMac(*ParseMac("01:00:5e:00:00:01")));
  EXPECT_TRUE(IsGroupMac(*ParseMac("ff:ff:ff:ff:ff:ff")));
  EXPECT_TRUE(IsGroupMac(*ParseMac("03:00:00:00:00:00")));
  for (const char* bad : {"", "02:00:00:00:00", "02:00:00:00:00:00:00", "02:00:00:00:00:",
                          "020:00:00:00:00:00", "0g:00:00:00:00:00", "02-00-00-00-00-00",
                          "0200.0000.0000", " 02:00:00:00:00:00"}) {
    auto r = ParseMac(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("is not a MAC address")) << bad;
  }
}

TEST(Ipv4, DottedQuadOnly) {
  auto a = ParseIpv4("10.1.2.3");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 0x0a010203u);
  EXPECT_EQ(FormatIpv4(*a), "10.1.2.3");
  EXPECT_EQ(FormatIpv4(0xffffffffu), "255.255.255.255");
  for (const char* bad : {"10.1", "10", "10.1.2.3.4", "256.0.0.1", "a.b.c.d", "", "10.1.2.3 "})
    EXPECT_EQ(ParseIpv4(bad).status().message(), std::string("'") + bad + "' is not an IPv4 address");
}

TEST(CheckIfName, FollowsTheKernelRules) {
  EXPECT_TRUE(CheckIfName("veth0").ok());
  EXPECT_TRUE(CheckIfName("eth0.100").ok());
  EXPECT_TRUE(CheckIfName("abcdefghijklmno").ok());  // 15: IFNAMSIZ - 1
  EXPECT_EQ(CheckIfName("abcdefghijklmnop").message(),
            "interface name 'abcdefghijklmnop' is longer than 15 characters");
  EXPECT_EQ(CheckIfName("").message(), "interface name is empty");
  EXPECT_FALSE(CheckIfName(".").ok());
  EXPECT_FALSE(CheckIfName("..").ok());
  EXPECT_FALSE(CheckIfName("a:b").ok());
  EXPECT_FALSE(CheckIfName("a b").ok());
  EXPECT_FALSE(CheckIfName("a\tb").ok());
  EXPECT_FALSE(CheckIfName("a/b").ok());
}

}  // namespace
}  // namespace pvland::ctl
