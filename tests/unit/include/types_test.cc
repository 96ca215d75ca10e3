#include "include/pvland/types.h"

#include "gtest/gtest.h"

namespace pvland {
namespace {

TEST(Mac, ParsesOneOrTwoDigitsPerOctetAndFormatsCanonically) {
  auto m = ParseMac("02:AB:c:0:00:ff");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, (MacAddr{0x02, 0xab, 0x0c, 0x00, 0x00, 0xff}));
  EXPECT_EQ(FormatMac(*m), "02:ab:0c:00:00:ff");
  EXPECT_EQ(FormatMac(m->data()), "02:ab:0c:00:00:ff");
  EXPECT_EQ(*ParseMac(FormatMac(*m)), *m);
}

TEST(Mac, RejectsEverythingElseNamingTheText) {
  for (const char* bad : {"", "02:00:00:00:00", "02:00:00:00:00:00:00", "02:00:00:00:00:",
                          ":02:00:00:00:00:00", "020:00:00:00:00:00", "0g:00:00:00:00:00",
                          "02-00-00-00-00-00", "0200.0000.0000", " 02:00:00:00:00:00",
                          "02:00:00:00:00:00 ", "02::00:00:00:01"}) {
    auto r = ParseMac(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              std::string("'") + bad + "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
  }
}

TEST(Mac, AddressClasses) {
  const MacAddr group = *ParseMac("01:00:5e:00:00:01");
  const MacAddr bcast = *ParseMac("ff:ff:ff:ff:ff:ff");
  const MacAddr station = *ParseMac("02:00:00:00:00:01");
  const MacAddr stp = *ParseMac("01:80:c2:00:00:00");
  const MacAddr lldp = *ParseMac("01:80:c2:00:00:0e");
  const MacAddr not_reserved = *ParseMac("01:80:c2:00:00:10");
  EXPECT_TRUE(IsMulticastMac(group.data()));
  EXPECT_TRUE(IsMulticastMac(bcast.data()));
  EXPECT_TRUE(IsMulticastMac(ParseMac("03:00:00:00:00:00")->data()));
  EXPECT_FALSE(IsMulticastMac(station.data()));
  EXPECT_TRUE(IsBroadcastMac(bcast.data()));
  EXPECT_FALSE(IsBroadcastMac(group.data()));
  EXPECT_TRUE(IsZeroMac(MacAddr{}.data()));
  EXPECT_FALSE(IsZeroMac(station.data()));
  EXPECT_TRUE(IsLinkLocalMac(stp.data()));
  EXPECT_TRUE(IsLinkLocalMac(lldp.data()));
  EXPECT_FALSE(IsLinkLocalMac(not_reserved.data()));
  EXPECT_EQ(ToMac(station.data()), station);
}

TEST(HexDigit, BothCasesAndNothingElse) {
  EXPECT_EQ(HexDigit('0'), 0);
  EXPECT_EQ(HexDigit('9'), 9);
  EXPECT_EQ(HexDigit('a'), 10);
  EXPECT_EQ(HexDigit('F'), 15);
  EXPECT_EQ(HexDigit('g'), -1);
  EXPECT_EQ(HexDigit(':'), -1);
}

}  // namespace
}  // namespace pvland
