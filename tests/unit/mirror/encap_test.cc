// Mirror copies as VXLAN datagrams: the UDP header (source port from the inner flow,
// the session's destination port, length, zero checksum), RFC 7348's header with the
// session's VNI, the inner frame as on the source port's wire, truncation to the
// session's length, one datagram per segment of a super-frame, and the counters.
#include "daemon/mirror/encap.h"

#include <gtest/gtest.h>

#include <cstring>

#include "daemon/packet/vxlan.h"
#include "tests/unit/mirror/frames.h"

namespace pvland::mirror {
namespace {

using testing::FrameSpec;
using testing::Parse;
using testing::Parsed;

class EncapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SessionSpec s;
    s.name = "s1";
    s.target = 0xc0000209;
    s.vni = 0x123456;
    s.dstport = 4789;
    id_ = *sessions_.Add(s);
  }
  Copy CopyOf(const Parsed& f, bool tag = false, uint16_t tci = 0) {
    Copy c;
    c.item.pkt = &f.p;
    c.item.tag = tag;
    StoreBe16(c.item.tag_bytes + 2, tci);
    c.item.offload = f.p.offload;
    c.session = id_;
    return c;
  }
  Session& session() { return *sessions_.at(id_); }

  Sessions sessions_;
  uint32_t id_ = 0;
  Encapsulator encap_;
};

TEST_F(EncapTest, OneCopyIsUdpVxlanAndTheFrame) {
  auto f = Parse({.payload = 100});
  const Copy c = CopyOf(*f);
  encap_.Build(sessions_, {&c, 1});
  ASSERT_EQ(encap_.datagrams().size(), 1u);
  const Datagram& d = encap_.datagrams()[0];
  const uint8_t* b = encap_.bytes(d);
  EXPECT_EQ(d.target, 0xc0000209u);
  EXPECT_EQ(d.session, id_);
  EXPECT_EQ(d.inner_len, f->bytes.size());
  EXPECT_EQ(d.len, 16 + f->bytes.size());
  EXPECT_EQ(LoadBe16(b), VxlanSourcePort(f->p));
  EXPECT_EQ(LoadBe16(b + 2), 4789);
  EXPECT_EQ(LoadBe16(b + 4), d.len);
  EXPECT_EQ(LoadBe16(b + 6), 0) << "no outer UDP checksum over IPv4 (RFC 7348)";
  const uint8_t vxlan[8] = {0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0};
  EXPECT_EQ(0, std::memcmp(b + 8, vxlan, 8));
  EXPECT_EQ(0, std::memcmp(b + 16, f->bytes.data(), f->bytes.size()));
  EXPECT_EQ(session().counters.truncated, 0u);
}

TEST_F(EncapTest, TheTagAsOnTheWireIsPartOfTheInnerFrame) {
  auto f = Parse({.payload = 20});
  const Copy c = CopyOf(*f, /*tag=*/true, /*tci=*/0x200a);
  encap_.Build(sessions_, {&c, 1});
  ASSERT_EQ(encap_.datagrams().size(), 1u);
  const uint8_t* inner = encap_.bytes(encap_.datagrams()[0]) + 16;
  EXPECT_EQ(encap_.datagrams()[0].inner_len, f->bytes.size() + 4);
  EXPECT_EQ(0, std::memcmp(inner, f->bytes.data(), 12));
  const uint8_t tag[4] = {0x81, 0x00, 0x20, 0x0a};
  EXPECT_EQ(0, std::memcmp(inner + 12, tag, 4));
  EXPECT_EQ(0, std::memcmp(inner + 16, f->bytes.data() + 12, f->bytes.size() - 12));
}

TEST_F(EncapTest, LengthCutsTheInnerFrame) {
  auto big = Parse({.payload = 100});
  auto small = Parse({.payload = 4});  // 60 bytes with padding: exactly the length
  auto tiny = Parse({.arp = true});   // 60 bytes
  session().length = 60;
  const Copy copies[] = {CopyOf(*big), CopyOf(*small), CopyOf(*tiny)};
  encap_.Build(sessions_, copies);
  ASSERT_EQ(encap_.datagrams().size(), 3u);
  EXPECT_EQ(encap_.datagrams()[0].inner_len, 60u);
  EXPECT_EQ(encap_.datagrams()[0].len, 76u);
  EXPECT_EQ(LoadBe16(encap_.bytes(encap_.datagrams()[0]) + 4), 76);
  EXPECT_EQ(0, std::memcmp(encap_.bytes(encap_.datagrams()[0]) + 16, big->bytes.data(), 60));
  EXPECT_EQ(encap_.datagrams()[1].inner_len, 60u) << "a frame of exactly length is whole";
  EXPECT_EQ(session().counters.truncated, 1u);
}

TEST_F(EncapTest, ASuperFrameIsOneDatagramPerSegmentOnOneSourcePort) {
  auto f = Parse({.proto = kIpProtoTcp, .payload = 3000});
  f->p.offload.flags = kVnetNeedsCsum;
  f->p.offload.gso_type = kVnetGsoTcpV4;
  f->p.offload.gso_size = 1000;
  f->p.offload.hdr_len = 54;
  f->p.offload.csum_start = 34;
  f->p.offload.csum_offset = 16;
  session().length = 1000;
  const Copy c = CopyOf(*f);
  encap_.Build(sessions_, {&c, 1});
  ASSERT_EQ(encap_.datagrams().size(), 3u);
  for (const Datagram& d : encap_.datagrams()) {
    const uint8_t* b = encap_.bytes(d);
    EXPECT_EQ(LoadBe16(b), VxlanSourcePort(f->p));
    EXPECT_EQ(d.inner_len, 1000u) << "each 1054-byte segment cut to length";
    EXPECT_EQ(LoadBe16(b + 16 + 14 + 2), 1040) << "the segment's own IPv4 total length";
  }
  EXPECT_EQ(session().counters.truncated, 3u);
  EXPECT_EQ(session().counters.seg_errors, 0u);
}

TEST_F(EncapTest, AFrameWhoseOffloadCannotBeCompletedIsCountedNotSent) {
  auto udp = Parse({.payload = 3000});
  udp->p.offload.gso_type = kVnetGsoTcpV4;  // a UDP frame announced as TCP
  udp->p.offload.gso_size = 1000;
  auto ok = Parse({});
  const Copy copies[] = {CopyOf(*udp), CopyOf(*ok)};
  encap_.Build(sessions_, copies);
  ASSERT_EQ(encap_.datagrams().size(), 1u);
  EXPECT_EQ(encap_.datagrams()[0].inner_len, ok->bytes.size());
  EXPECT_EQ(session().counters.seg_errors, 1u);
}

TEST_F(EncapTest, EachBuildStartsAfresh) {
  auto f = Parse({});
  const Copy c = CopyOf(*f);
  encap_.Build(sessions_, {&c, 1});
  encap_.Build(sessions_, {&c, 1});
  EXPECT_EQ(encap_.datagrams().size(), 1u);
  encap_.Build(sessions_, {});
  EXPECT_TRUE(encap_.datagrams().empty());
}

}  // namespace
}  // namespace pvland::mirror
