// The kernel's martian lines (§3.1), compared with the lines it printed.
#include "daemon/ipv4/martian_log.h"

#include "gtest/gtest.h"
#include "tests/unit/ipv4/topo.h"

namespace pvland::ipv4 {
namespace {

using testing::Ip;

TEST(MartianLogTest, SourceLineWithLinkLayerHeader) {
  // [  822.188490] IPv4: martian source 10.0.1.1 from 10.0.2.50, on dev eth1
  // [  822.188499] ll header: 00000000: ff ff ff ff ff ff 02 00 00 00 01 10 08 06
  const uint8_t ll[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                          0x00, 0x00, 0x00, 0x01, 0x10, 0x08, 0x06};
  EXPECT_EQ(MartianLines(MartianKind::kSource, Ip(10, 0, 1, 1), Ip(10, 0, 2, 50), "eth1", ll),
            (std::vector<std::string>{
                "IPv4: martian source 10.0.1.1 from 10.0.2.50, on dev eth1",
                "ll header: 00000000: ff ff ff ff ff ff 02 00 00 00 01 10 08 06"}));
}

TEST(MartianLogTest, DestinationLineHasNoHeaderDump) {
  // [ 1391.612174] IPv4: martian destination 0.0.0.0 from 10.0.1.10, dev eth1
  const uint8_t ll[14] = {};
  EXPECT_EQ(MartianLines(MartianKind::kDestination, 0, Ip(10, 0, 1, 10), "eth1", ll),
            std::vector<std::string>{"IPv4: martian destination 0.0.0.0 from 10.0.1.10, dev eth1"});
}

TEST(MartianLogTest, NoneAndUnknownHeader) {
  EXPECT_TRUE(MartianLines(MartianKind::kNone, 1, 2, "eth1", {}).empty());
  EXPECT_EQ(MartianLines(MartianKind::kSource, 1, 2, "p", {}).size(), 1u);
  // Longer headers wrap at 16 bytes per row, offsets in hex.
  std::vector<uint8_t> ll(18, 0xab);
  const auto lines = LinkLayerHeaderLines(ll);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "ll header: 00000010: ab ab");
}

}  // namespace
}  // namespace pvland::ipv4
