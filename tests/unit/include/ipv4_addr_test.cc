#include "include/pvland/ipv4_addr.h"

#include "gtest/gtest.h"

namespace pvland {
namespace {

TEST(Ipv4Addr, DottedQuadRoundTrips) {
  auto a = ParseIpv4("10.1.2.3");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, 0x0a010203u);
  EXPECT_EQ(FormatIpv4(*a), "10.1.2.3");
  EXPECT_EQ(FormatIpv4(0), "0.0.0.0");
  EXPECT_EQ(FormatIpv4(0xffffffffu), "255.255.255.255");
  EXPECT_EQ(FormatIpv4(0xc0a80001u), "192.168.0.1");
  EXPECT_EQ(*ParseIpv4("255.255.255.255"), 0xffffffffu);
}

TEST(Ipv4Addr, OnlyFourDecimalOctets) {
  for (const char* bad : {"10.1", "10", "10.1.2.3.4", "256.0.0.1", "a.b.c.d", "", "10.1.2.3 ",
                          " 10.1.2.3", "10.0.0.0/8", "0x0a.1.2.3"})
    EXPECT_EQ(ParseIpv4(bad).status().message(), std::string("'") + bad + "' is not an IPv4 address");
}

}  // namespace
}  // namespace pvland
