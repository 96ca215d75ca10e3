#include "ctl/cli/values.h"

#include "gtest/gtest.h"

namespace pvland::ctl {
namespace {

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

TEST(ParseOnOff, ExactWordsOnly) {
  EXPECT_EQ(*ParseOnOff("on", "k"), true);
  EXPECT_EQ(*ParseOnOff("off", "k"), false);
  for (const char* bad : {"1", "0", "true", "On", "yes", ""})
    EXPECT_EQ(ParseOnOff(bad, "k").status().message(),
              std::string("k must be on or off, got '") + bad + "'");
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
