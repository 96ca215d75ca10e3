#include "include/pvland/parse_uint.h"

#include "gtest/gtest.h"

namespace pvland {
namespace {

TEST(ParseUint, EnforcesRangeAndDigitsOnly) {
  EXPECT_EQ(*ParseUint("0", 0, 5, "x"), 0u);
  EXPECT_EQ(*ParseUint("5", 0, 5, "x"), 5u);
  EXPECT_EQ(*ParseUint("007", 0, 10, "x"), 7u);
  EXPECT_EQ(*ParseUint("18446744073709551615", 0, UINT64_MAX, "x"), UINT64_MAX);
  EXPECT_EQ(ParseUint("6", 0, 5, "x").status().message(), "x must be 0-5, got 6");
  EXPECT_EQ(ParseUint("1", 2, 5, "x").status().message(), "x must be 2-5, got 1");
  EXPECT_EQ(ParseUint("", 0, 5, "x").status().message(), "x must be a number 0-5, got ''");
  EXPECT_EQ(ParseUint(" 1", 0, 5, "x").status().message(), "x must be a number 0-5, got ' 1'");
  EXPECT_EQ(ParseUint("1 ", 0, 5, "x").status().message(), "x must be a number 0-5, got '1 '");
  EXPECT_EQ(ParseUint("+1", 0, 5, "x").status().message(), "x must be a number 0-5, got '+1'");
  EXPECT_EQ(ParseUint("-1", 0, 5, "x").status().message(), "x must be a number 0-5, got '-1'");
  EXPECT_EQ(ParseUint("0x1", 0, 5, "x").status().message(), "x must be a number 0-5, got '0x1'");
  EXPECT_EQ(ParseUint("18446744073709551616", 0, 5, "x").status().message(),
            "x must be 0-5, got 18446744073709551616");
}

}  // namespace
}  // namespace pvland
