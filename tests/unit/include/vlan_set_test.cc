#include "include/pvland/vlan_set.h"

#include "gtest/gtest.h"

namespace pvland {
namespace {

TEST(ParseVlanId, ReservedIdsAreRejected) {
  EXPECT_EQ(*ParseVlanId("1", "vlan"), 1);
  EXPECT_EQ(*ParseVlanId("4094", "vlan"), 4094);
  EXPECT_EQ(ParseVlanId("0", "vlan").status().message(), "vlan must be 1-4094, got 0");
  EXPECT_EQ(ParseVlanId("4095", "native").status().message(), "native must be 1-4094, got 4095");
}

TEST(IsVlanId, OneTo4094) {
  EXPECT_FALSE(IsVlanId(0));
  EXPECT_TRUE(IsVlanId(1));
  EXPECT_TRUE(IsVlanId(4094));
  EXPECT_FALSE(IsVlanId(4095));
  EXPECT_FALSE(IsVlanId(65536 + 1));
}

TEST(VlanSet, ParsesListsAndRanges) {
  const VlanSet s = *ParseVlanSet("30-32,20,10,31");
  EXPECT_EQ(s.count(), 5u);
  for (int v : {10, 20, 30, 31, 32}) EXPECT_TRUE(s.test(v)) << v;
  EXPECT_TRUE(ParseVlanSet("none")->none());
  const VlanSet all = *ParseVlanSet("all");
  EXPECT_EQ(all.count(), 4094u);
  EXPECT_FALSE(all.test(0));
  EXPECT_FALSE(all.test(4095));
}

TEST(VlanSet, FormatIsCanonicalAndReadsBack) {
  struct Case {
    const char* in;
    const char* canonical;
  };
  for (const Case& c : {Case{"all", "all"}, Case{"none", "none"}, Case{"20,10", "10,20"},
                        Case{"10,11", "10-11"}, Case{"10-20,15-25", "10-25"},
                        Case{"5,3,4,1", "1,3-5"}, Case{"7-7", "7"}, Case{"1-4094", "all"},
                        Case{"1-2000,2001-4094", "all"}, Case{"2-4094", "2-4094"},
                        Case{"4094,1", "1,4094"}, Case{"010", "10"}}) {
    auto s = ParseVlanSet(c.in);
    ASSERT_TRUE(s.ok()) << c.in << ": " << s.status();
    EXPECT_EQ(FormatVlanSet(*s), c.canonical) << c.in;
    EXPECT_EQ(*ParseVlanSet(FormatVlanSet(*s)), *s) << c.in;
  }
}

TEST(VlanSet, ErrorsNameTheElement) {
  struct Case {
    const char* in;
    const char* message;
  };
  for (const Case& c :
       {Case{"", "allowed list is empty; use 'none' for no VLANs"},
        Case{"1,,2", "allowed list '1,,2' has an empty element"},
        Case{"10,", "allowed list '10,' has an empty element"},
        Case{"0", "allowed VLAN must be 1-4094, got 0"},
        Case{"4095", "allowed VLAN must be 1-4094, got 4095"},
        Case{"1-5000", "allowed VLAN must be 1-4094, got 5000"},
        Case{"5-3", "allowed range 5-3 is reversed; write 3-5"},
        Case{"5-", "allowed VLAN must be a number 1-4094, got ''"},
        Case{"1-2-3", "allowed VLAN must be a number 1-4094, got '2-3'"},
        Case{"x", "allowed VLAN must be a number 1-4094, got 'x'"},
        Case{"All", "allowed VLAN must be a number 1-4094, got 'All'"}}) {
    auto s = ParseVlanSet(c.in);
    ASSERT_FALSE(s.ok()) << c.in;
    EXPECT_EQ(s.status().message(), c.message) << c.in;
  }
}

}  // namespace
}  // namespace pvland
