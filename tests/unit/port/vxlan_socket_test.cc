// Two VXLAN ports talking over loopback in a network namespace of the test's own (root
// only; skipped otherwise): what one sends the other receives byte for byte, flooded
// frames go to every remote, known unicast to the remote its MAC was learned from, the
// outer source port is the inner flow's, super-frames leave as segments, and datagrams a
// port refuses are handed on marked with their reason.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "daemon/core/unique_fd.h"
#include "daemon/packet/inet_csum.h"
#include "daemon/packet/parser.h"
#include "daemon/port/vxlan_port.h"

namespace pvland {
namespace {

constexpr uint32_t kA = 0x7f000002, kB = 0x7f000003, kListener = 0x7f000004;  // 127.0.0.2-4
constexpr uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0xa};
constexpr uint8_t kMacB[6] = {0x02, 0, 0, 0, 0, 0xb};

// An Ethernet/IPv4/UDP frame from `src` to `dst` with `payload` bytes, checksums complete.
std::vector<uint8_t> UdpFrame(const uint8_t* dst, const uint8_t* src, uint16_t sport, size_t payload) {
  std::vector<uint8_t> f(dst, dst + 6);
  f.insert(f.end(), src, src + 6);
  f.insert(f.end(), {0x08, 0x00});
  const size_t ip = f.size();
  f.resize(ip + 28 + payload);
  f[ip] = 0x45;
  StoreBe16(&f[ip + 2], static_cast<uint16_t>(28 + payload));
  f[ip + 8] = 64;
  f[ip + 9] = kIpProtoUdp;
  const uint8_t addrs[8] = {10, 0, 0, 1, 10, 0, 0, 2};
  std::memcpy(&f[ip + 12], addrs, 8);
  StoreBe16(&f[ip + 10], CsumFinish(CsumAdd(0, &f[ip], 20)));
  StoreBe16(&f[ip + 20], sport);
  StoreBe16(&f[ip + 22], 9);
  StoreBe16(&f[ip + 24], static_cast<uint16_t>(8 + payload));
  for (size_t i = 0; i < payload; ++i) f[ip + 28 + i] = static_cast<uint8_t>(i);
  return f;
}

class VxlanSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace and a raw socket)";
    // Each test runs in its own process (gtest_discover_tests): a namespace of its own
    // keeps 4789 free and the loopback traffic private.
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    UniqueFd s(socket(AF_INET, SOCK_DGRAM, 0));
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    ASSERT_EQ(ioctl(s.get(), SIOCGIFFLAGS, &ifr), 0);
    ifr.ifr_flags |= IFF_UP;
    ASSERT_EQ(ioctl(s.get(), SIOCSIFFLAGS, &ifr), 0);

    VxlanConfig a;
    a.vni = 42;
    a.local = kA;
    a.remotes = {kB};
    VxlanConfig b = a;
    b.local = kB;
    b.remotes = {kA, kListener};
    a_ = std::make_unique<VxlanPort>("vxa", a, clock_);
    b_ = std::make_unique<VxlanPort>("vxb", b, clock_);
    ASSERT_TRUE(a_->Open().ok());
    ASSERT_TRUE(b_->Open().ok());
    listener_.reset(socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in sa{AF_INET, htons(kVxlanPort), {htonl(kListener)}, {}};
    ASSERT_EQ(bind(listener_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    timeval tv{0, 200000};
    setsockopt(listener_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  // Sends `frame` out `port` as the pipeline would hand it over.
  SendResult SendFrame(VxlanPort& port, std::vector<uint8_t>& frame, FloodClass flood, Offload off = {}) {
    Packet p;
    p.frame = frame.data();
    p.len = p.wire_len = static_cast<uint32_t>(frame.size());
    p.offload = off;
    EXPECT_EQ(ParseFrame(p), std::nullopt);
    p.flood = flood;
    TxItem item;
    item.pkt = &p;
    item.offload = off;
    last_sport_ = VxlanSourcePort(p);
    SendResult r = port.Send(absl::MakeSpan(&item, 1));
    last_error_ = item.error;
    return r;
  }
  // Receives on `port` until `want` frames arrived or half a second passed.
  std::vector<std::vector<uint8_t>> ReceiveOn(VxlanPort& port, size_t want, PacketBatch* keep = nullptr) {
    std::vector<std::vector<uint8_t>> out;
    PacketBatch batch;
    for (int i = 0; i < 50 && out.size() < want; ++i) {
      batch.Clear();
      if (port.Receive(batch) == 0) {
        usleep(10000);
        continue;
      }
      for (const Packet& p : batch) out.emplace_back(p.frame, p.frame + p.len);
      if (keep != nullptr) *keep = batch;
    }
    return out;
  }
  // The next datagram at the listener, and its source port.
  std::vector<uint8_t> Listen(uint16_t* sport) {
    std::vector<uint8_t> buf(65536);
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    const ssize_t n = recvfrom(listener_.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0) return {};
    *sport = ntohs(from.sin_port);
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  FakeClock clock_;
  std::unique_ptr<VxlanPort> a_, b_;
  UniqueFd listener_;
  uint16_t last_sport_ = 0;
  int last_error_ = 0;
};

TEST_F(VxlanSocketTest, AFrameArrivesWholeAndTeachesTheReceiverItsRemote) {
  std::vector<uint8_t> f = UdpFrame(kMacB, kMacA, 1000, 100);
  const SendResult r = SendFrame(*a_, f, FloodClass::kUnknownUnicast);
  EXPECT_EQ(r.sent, 1u);
  EXPECT_EQ(r.bytes, f.size());
  auto got = ReceiveOn(*b_, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], f);
  EXPECT_EQ(b_->RemoteOf(ToMac(kMacA)), kA);
  const TunnelInfo info = b_->Info();
  EXPECT_EQ(info.learned, 1u);
  EXPECT_EQ(info.remotes[0].rx_packets, 1u);
  EXPECT_EQ(info.remotes[0].rx_bytes, kVxlanHeaderLen + f.size());
  EXPECT_EQ(a_->Info().remotes[0].tx_packets, 1u);
  EXPECT_EQ(a_->Info().remotes[0].tx_bytes, kVxlanHeaderLen + f.size());
}

TEST_F(VxlanSocketTest, FloodsGoToEveryRemoteAndKnownUnicastToItsRemoteOnly) {
  std::vector<uint8_t> hello = UdpFrame(kMacB, kMacA, 1000, 20);
  SendFrame(*a_, hello, FloodClass::kNone);
  ASSERT_EQ(ReceiveOn(*b_, 1).size(), 1u);  // b_ learns kMacA behind A

  std::vector<uint8_t> bcast = UdpFrame(reinterpret_cast<const uint8_t*>("\xff\xff\xff\xff\xff\xff"), kMacB, 2000, 30);
  EXPECT_EQ(SendFrame(*b_, bcast, FloodClass::kBroadcast).sent, 1u);
  EXPECT_EQ(ReceiveOn(*a_, 1).size(), 1u);
  uint16_t sport = 0;
  std::vector<uint8_t> d = Listen(&sport);
  ASSERT_EQ(d.size(), kVxlanHeaderLen + bcast.size()) << "the listener, the second remote, got its copy";
  EXPECT_EQ(ReadVxlanHeader(d.data(), d.size()), 42u);
  EXPECT_EQ(std::vector<uint8_t>(d.begin() + kVxlanHeaderLen, d.end()), bcast);
  EXPECT_EQ(sport, last_sport_) << "outer source port from the inner flow's hash";
  EXPECT_GE(sport, 49152);

  std::vector<uint8_t> uni = UdpFrame(kMacA, kMacB, 3000, 40);
  EXPECT_EQ(SendFrame(*b_, uni, FloodClass::kNone).sent, 1u);
  EXPECT_EQ(ReceiveOn(*a_, 1), std::vector<std::vector<uint8_t>>{uni});
  EXPECT_TRUE(Listen(&sport).empty()) << "known unicast goes to the remote it was learned from only";

  // The same MAC unknown to the switch (flooded): every remote again.
  EXPECT_EQ(SendFrame(*b_, uni, FloodClass::kUnknownUnicast).sent, 1u);
  EXPECT_EQ(ReceiveOn(*a_, 1).size(), 1u);
  EXPECT_FALSE(Listen(&sport).empty());
  const TunnelInfo info = b_->Info();
  EXPECT_EQ(info.remotes[0].tx_packets, 3u);
  EXPECT_EQ(info.remotes[1].tx_packets, 2u);

  // Aged out: every remote.
  clock_.Advance(VxlanRemoteTable::kDefaultAgeing + kNsPerSec);
  EXPECT_FALSE(b_->RemoteOf(ToMac(kMacA)));
  SendFrame(*b_, uni, FloodClass::kNone);
  EXPECT_EQ(ReceiveOn(*a_, 1).size(), 1u);
  EXPECT_FALSE(Listen(&sport).empty());
}

TEST_F(VxlanSocketTest, ASuperFrameLeavesAsSegmentsWithCompleteChecksums) {
  std::vector<uint8_t> f = UdpFrame(kMacB, kMacA, 1000, 3000);
  // As a USO super-frame from a TAP: partial checksum (the pseudo-header's sum), 1000-byte segments.
  const size_t l4 = 34;
  uint64_t pseudo = CsumAdd(0, &f[14 + 12], 8) + kIpProtoUdp + (8 + 3000);
  StoreBe16(&f[l4 + 6], CsumFold(pseudo));
  Offload off;
  off.flags = kVnetNeedsCsum;
  off.gso_type = kVnetGsoUdpL4;
  off.gso_size = 1000;
  off.hdr_len = l4 + 8;
  off.csum_start = l4;
  off.csum_offset = 6;
  EXPECT_EQ(SendFrame(*a_, f, FloodClass::kNone, off).sent, 1u);
  auto got = ReceiveOn(*b_, 3);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& s : got) {
    ASSERT_EQ(s.size(), 14u + 28 + 1000);
    const uint8_t* ip = s.data() + 14;
    EXPECT_EQ(CsumFold(CsumAdd(0, ip, 20)), 0xffff);
    uint64_t sum = CsumAdd(0, ip + 12, 8) + kIpProtoUdp + 1008;
    EXPECT_EQ(CsumFold(CsumAdd(sum, ip + 20, 1008)), 0xffff) << "UDP checksum of the segment";
  }
}

TEST_F(VxlanSocketTest, RefusedDatagramsArriveMarkedWithTheirReason) {
  UniqueFd s(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in to{AF_INET, htons(kVxlanPort), {htonl(kB)}, {}};
  std::vector<uint8_t> inner = UdpFrame(kMacB, kMacA, 1, 10);
  const auto send = [&](uint8_t flags, uint32_t vni, size_t len) {
    std::vector<uint8_t> d(kVxlanHeaderLen);
    WriteVxlanHeader(d.data(), vni);
    d[0] = flags;
    d.insert(d.end(), inner.begin(), inner.end());
    d.resize(len);
    ASSERT_EQ(sendto(s.get(), d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(len));
  };
  send(kVxlanFlagI, 43, kVxlanHeaderLen + inner.size());  // another VNI
  send(0, 42, kVxlanHeaderLen + inner.size());            // I flag clear
  send(kVxlanFlagI, 42, 12);                              // short
  send(kVxlanFlagI, 42, kVxlanHeaderLen + inner.size());  // good
  PacketBatch batch;
  std::vector<std::vector<uint8_t>> got;
  for (int i = 0; i < 50 && batch.size() < 4; ++i) {
    if (b_->Receive(batch) == 0) usleep(10000);
  }
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(ParseFrame(batch[0]), DropReason::kVxlanWrongVni);
  EXPECT_EQ(std::vector<uint8_t>(batch[0].frame, batch[0].frame + batch[0].len), inner) << "the inner frame is shown";
  EXPECT_EQ(ParseFrame(batch[1]), DropReason::kVxlanMalformed);
  EXPECT_EQ(ParseFrame(batch[2]), DropReason::kVxlanMalformed);
  EXPECT_EQ(ParseFrame(batch[3]), std::nullopt);
  EXPECT_FALSE(b_->RemoteOf(ToMac(kMacA)) == kA) << "learned from 127.0.0.1, the sender's address";
  EXPECT_EQ(b_->RemoteOf(ToMac(kMacA)), 0x7f000001u) << "a sender that is not a configured remote is learned too";
}

TEST_F(VxlanSocketTest, ASecondPortOnTheSameBindingIsRefused) {
  VxlanConfig c = a_->config();
  VxlanPort again("vxc", c, clock_);
  const absl::Status s = again.Open();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_NE(s.message().find("local 127.0.0.2 dstport 4789 is taken"), std::string_view::npos) << s;
  c.local = 0x7f000009;
  c.dstport = 4790;
  VxlanPort other("vxd", c, clock_);
  EXPECT_TRUE(other.Open().ok()) << "any loopback address will do; another dstport is free";
  EXPECT_EQ(other.LinkState(), PortState::kUp);
  other.Close();
  EXPECT_EQ(other.LinkState(), PortState::kAbsent);
  EXPECT_TRUE(other.CanReopen());
}

}  // namespace
}  // namespace pvland
