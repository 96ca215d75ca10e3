// Port pieces that need no privileges: the type table behind `port add ... type T`, and
// the iovecs a frame is sent with (virtio-net header, MACs, tags, rest).
#include <gtest/gtest.h>

#include <vector>

#include "daemon/port/port.h"
#include "daemon/port/port_factory.h"

namespace pvland {
namespace {

TEST(PortFactory, EveryTypeHasItsNameAndKindAndNothingIsOpenedYet) {
  struct Case {
    const char* type;
    PortKind kind;
  } cases[] = {{"netdev", PortKind::kNetdev}, {"tap", PortKind::kTap}, {"internal", PortKind::kInternal}};
  for (const Case& c : cases) {
    auto port = MakePort(c.type, "pvt0", PortEnv{});
    ASSERT_TRUE(port.ok()) << c.type << ": " << port.status();
    EXPECT_EQ((*port)->type(), c.type);
    EXPECT_EQ((*port)->kind(), c.kind);
    EXPECT_EQ((*port)->name(), "pvt0");
    EXPECT_FALSE((*port)->is_open());
  }
}

TEST(PortFactory, UnknownTypeNamesTheKnownOnes) {
  auto port = MakePort("vxlan0", "p", PortEnv{});
  EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(port.status().message(), "port type must be netdev, tap, internal or vxlan, not 'vxlan0'");
  EXPECT_EQ(PortTypeList(), "netdev, tap, internal or vxlan");
}

std::vector<uint8_t> Flatten(const iovec* iov, int n) {
  std::vector<uint8_t> out;
  for (int i = 1; i < n; ++i) {  // iov[0] is the virtio-net header
    auto* b = static_cast<const uint8_t*>(iov[i].iov_base);
    out.insert(out.end(), b, b + iov[i].iov_len);
  }
  return out;
}

TEST(BuildIovecs, HeaderFirstThenMacsTagsAndRest) {
  std::vector<uint8_t> frame = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00, 0xee};
  Packet p;
  p.frame = frame.data();
  p.len = static_cast<uint32_t>(frame.size());
  p.payload_off = 16;  // the received tag is removed
  TxItem item;
  item.pkt = &p;
  item.offload.csum_start = 34;
  iovec iov[kMaxTxIovecs];

  // Untagged egress: MACs then the rest, the tag gone.
  int n = BuildIovecs(item, iov);
  ASSERT_EQ(iov[0].iov_len, sizeof(Offload));
  EXPECT_EQ(static_cast<const Offload*>(iov[0].iov_base)->csum_start, 34);
  EXPECT_EQ(Flatten(iov, n), (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x08, 0x00, 0xee}));
  EXPECT_EQ(item.wire_len(), 15u);

  // Tagged egress with VLAN 20; a frame that arrived with two tags keeps its inner one.
  item.tag = true;
  item.tag_bytes[2] = 0x00;
  item.tag_bytes[3] = 0x14;
  p.has_inner_tag = true;
  const uint8_t inner[4] = {0x81, 0x00, 0x00, 0x05};
  std::copy(inner, inner + 4, p.inner_tag);
  n = BuildIovecs(item, iov);
  EXPECT_EQ(n, kMaxTxIovecs);
  EXPECT_EQ(Flatten(iov, n), (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x81, 0x00, 0x00, 0x14, 0x81,
                                                   0x00, 0x00, 0x05, 0x08, 0x00, 0xee}));
  EXPECT_EQ(item.wire_len(), 23u);
}

}  // namespace
}  // namespace pvland
