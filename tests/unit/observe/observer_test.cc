// The observer: the ring of recent drops, live subscribers over a real SOCK_SEQPACKET
// pair (events, per-port selection, BPF filters, port captures in both directions), and
// lossy delivery: a subscriber that does not read loses copies, counted, and the
// observer never blocks.
#include "daemon/observe/observer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "ctl/cli/grammar.h"
#include "ctl/proto/message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pvland {
namespace {

std::vector<uint8_t> Frame(uint8_t last_dst, uint16_t dport) {
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, last_dst, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
  const uint8_t ip[] = {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
  f.insert(f.end(), ip, ip + sizeof ip);
  f.insert(f.end(), {0x04, 0xd2, static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport), 0, 8, 0, 0});
  f.resize(60);
  return f;
}

Packet PacketOf(std::vector<uint8_t>& bytes) {
  Packet p{};
  p.frame = bytes.data();
  p.len = static_cast<uint32_t>(bytes.size());
  p.wire_len = p.len;
  p.payload_off = 12;
  return p;
}

class ObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"p0", "p1", "p2"}) {
      auto sp = std::make_unique<SwitchPort>();
      sp->name = name;
      bridge_.AddPort(std::move(sp));
    }
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    daemon_fd_ = sv[0];
    client_fd_ = sv[1];
  }
  void TearDown() override {
    close(daemon_fd_);
    close(client_fd_);
  }

  // Every event waiting on the client side.
  std::vector<ctl::Message> Read() {
    std::vector<ctl::Message> out;
    std::vector<uint8_t> buf(PVL_CTL_MSG_MAX);
    for (;;) {
      const ssize_t n = recv(client_fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      auto msgs = ctl::ParseMessages(buf.data(), static_cast<size_t>(n));
      EXPECT_TRUE(msgs.ok());
      for (auto& m : *msgs) out.push_back(std::move(m));
    }
    return out;
  }

  Bridge bridge_;
  ObserveHooks hooks_;  // as the dataplane keeps them
  int daemon_fd_ = -1, client_fd_ = -1;
};

TEST_F(ObserverTest, RecordsEveryDropNewestFirst) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  auto f = Frame(2, 9);
  Packet p = PacketOf(f);
  p.vid = 10;
  hooks_.rx_port = 0;
  bridge_.CountDrop(1, DropReason::kIsolatedPort, p);
  hooks_.rx_port = 2;
  bridge_.CountDrop(2, DropReason::kVlanNotAllowed, p, "detail");
  EXPECT_EQ(bridge_.port(1)->counters.drops[static_cast<int>(DropReason::kIsolatedPort)], 1u);
  auto recent = obs.Recent(10);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0]->reason, DropReason::kVlanNotAllowed);
  EXPECT_STREQ(recent[0]->detail, "detail");
  EXPECT_EQ(recent[1]->port, 1);
  EXPECT_EQ(recent[1]->in_port, 0);
  EXPECT_EQ(recent[1]->vid, 10);
  EXPECT_EQ(recent[1]->wire_len, 60u);
  EXPECT_EQ(std::vector<uint8_t>(recent[1]->bytes.begin(), recent[1]->bytes.begin() + recent[1]->caplen), f);
  // By port: counted on it or received on it.
  EXPECT_EQ(obs.Recent(10, 0).size(), 1u);
  EXPECT_EQ(obs.Recent(10, 2).size(), 1u);
  EXPECT_EQ(obs.Recent(1).size(), 1u);
}

TEST_F(ObserverTest, TheRingKeepsTheLastOnes) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  auto f = Frame(2, 9);
  Packet p = PacketOf(f);
  for (size_t i = 0; i < Observer::kRingSize + 5; ++i) bridge_.CountDrop(0, DropReason::kRunt, p);
  auto recent = obs.Recent(1000);
  EXPECT_EQ(recent.size(), Observer::kRingSize);
  EXPECT_EQ(recent.front()->seq, Observer::kRingSize + 5);
  EXPECT_EQ(recent.back()->seq, 6u);
}

TEST_F(ObserverTest, AStrippedTagIsPutBack) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  auto f = Frame(2, 9);
  Packet p = PacketOf(f);
  p.aux_tag = true;
  p.aux_tci = 30;
  bridge_.CountDrop(0, DropReason::kVlanNotAllowed, p);
  const DropRecord& r = *obs.Recent(1)[0];
  EXPECT_EQ(r.caplen, 64);
  EXPECT_EQ(r.wire_len, 64u);
  EXPECT_EQ(r.bytes[12], 0x81);
  EXPECT_EQ(r.bytes[15], 30);
  EXPECT_EQ(r.bytes[16], 0x08);
}

TEST_F(ObserverTest, DropSubscribersGetEventsForTheirPort) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  SubscribeSpec spec;
  spec.port = 1;
  ASSERT_TRUE(obs.Subscribe(daemon_fd_, spec).ok());
  auto f = Frame(2, 9);
  Packet p = PacketOf(f);
  hooks_.rx_port = 0;
  bridge_.CountDrop(1, DropReason::kIsolatedPort, p);
  bridge_.CountDrop(2, DropReason::kIsolatedPort, p);  // not p1's
  EXPECT_TRUE(obs.pending());
  obs.Flush();
  EXPECT_FALSE(obs.pending());
  auto events = Read();
  ASSERT_EQ(events.size(), 1u);
  auto v = events[0].Attrs();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(events[0].cmd, PVL_CMD_MONITOR);
  EXPECT_EQ(v->String(PVL_A_PORT), "p1");
  EXPECT_EQ(v->String(PVL_A_IN_PORT), "p0");
  EXPECT_EQ(v->String(PVL_A_REASON), "isolated_port");
  EXPECT_EQ(v->String(PVL_A_DIRECTION), "drop");
  EXPECT_EQ(v->Binary(PVL_A_FRAME)->size(), 60u);
  EXPECT_EQ(v->U64(PVL_A_LOST), 0u);
  EXPECT_EQ(obs.Subscribers()[0].sent, 1u);
  obs.Unsubscribe(daemon_fd_);
  EXPECT_TRUE(obs.Subscribers().empty());
}

TEST_F(ObserverTest, AFilterSelectsFrames) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  SubscribeSpec spec;
  auto prog = ctl::CompileCaptureFilter("udp port 9999");
  ASSERT_TRUE(prog.ok());
  spec.filter.resize(prog->size() / sizeof(bpf_insn));
  std::memcpy(spec.filter.data(), prog->data(), prog->size());
  ASSERT_TRUE(obs.Subscribe(daemon_fd_, spec).ok());
  auto hit = Frame(2, 9999), miss = Frame(2, 9998);
  Packet a = PacketOf(hit), b = PacketOf(miss);
  bridge_.CountDrop(1, DropReason::kIsolatedPort, a);
  bridge_.CountDrop(1, DropReason::kIsolatedPort, b);
  obs.Flush();
  EXPECT_EQ(Read().size(), 1u);
}

TEST_F(ObserverTest, APortCaptureSeesBothDirectionsAndOnlyThatPort) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  EXPECT_FALSE(obs.capturing());
  SubscribeSpec spec;
  spec.stream = SubscribeSpec::Stream::kPort;
  spec.port = 1;
  spec.snaplen = Observer::kMaxSnaplen;
  ASSERT_TRUE(obs.Subscribe(daemon_fd_, spec).ok());
  EXPECT_TRUE(obs.capturing());
  EXPECT_TRUE(obs.Captured(1));
  EXPECT_FALSE(obs.Captured(0));
  EXPECT_FALSE(obs.Captured(100));
  auto f = Frame(2, 9);
  PacketBatch batch;
  Packet& p = batch.Append();
  p = PacketOf(f);
  hooks_.rx_port = 1;
  obs.OnReceived(1, batch);
  TxQueue q;
  TxItem* item = q.Push();
  item->pkt = &p;
  item->tag = true;
  item->tag_bytes[3] = 20;
  TxItem* failed = q.Push();
  failed->pkt = &p;
  failed->error = EAGAIN;
  obs.OnSent(1, q);
  obs.Flush();
  auto events = Read();
  ASSERT_EQ(events.size(), 2u);
  auto rx = events[0].Attrs();
  auto tx = events[1].Attrs();
  EXPECT_EQ(rx->String(PVL_A_DIRECTION), "rx");
  EXPECT_EQ(tx->String(PVL_A_DIRECTION), "tx");
  EXPECT_EQ(tx->Binary(PVL_A_FRAME)->size(), 64u);  // with the egress tag
  EXPECT_EQ((*tx->Binary(PVL_A_FRAME))[15], 20);
  EXPECT_EQ(tx->U32(PVL_A_WIRE_LEN), 64u);
  // Drops do not go to a port capture.
  bridge_.CountDrop(1, DropReason::kIsolatedPort, p);
  EXPECT_FALSE(obs.pending());
  obs.Unsubscribe(daemon_fd_);
  EXPECT_FALSE(obs.capturing());
}

TEST_F(ObserverTest, ASubscriberThatDoesNotReadLosesCopiesAndNothingBlocks) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  const int small = 4096;
  setsockopt(daemon_fd_, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  ASSERT_TRUE(obs.Subscribe(daemon_fd_, SubscribeSpec{}).ok());
  auto f = Frame(2, 9);
  Packet p = PacketOf(f);
  for (int batch = 0; batch < 200; ++batch) {
    for (int i = 0; i < 8; ++i) bridge_.CountDrop(1, DropReason::kIsolatedPort, p);
    obs.Flush();  // a blocking send would hang the test here
  }
  const auto info = obs.Subscribers()[0];
  EXPECT_GT(info.lost, 0u);
  EXPECT_GT(info.sent, 0u);
  EXPECT_EQ(info.sent + info.lost, 1600u);
  // The reader comes back: later events say how many it missed.
  while (!Read().empty()) {
  }
  bridge_.CountDrop(1, DropReason::kIsolatedPort, p);
  obs.Flush();
  auto events = Read();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].Attrs()->U64(PVL_A_LOST), info.lost);
}

TEST_F(ObserverTest, APeerThatHungUpIsNotWrittenAgainAndAPortDeleteEndsItsCapture) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  SubscribeSpec spec;
  spec.stream = SubscribeSpec::Stream::kPort;
  spec.port = 2;
  ASSERT_TRUE(obs.Subscribe(daemon_fd_, spec).ok());
  obs.PortRemoved(2);
  EXPECT_FALSE(obs.capturing());
  char c;
  EXPECT_EQ(recv(client_fd_, &c, 1, MSG_DONTWAIT), 0);  // shut down: the client sees the end
}

TEST_F(ObserverTest, SubscribeValidates) {
  Observer obs(bridge_);
  obs.Attach(&hooks_);
  SubscribeSpec spec;
  spec.stream = SubscribeSpec::Stream::kPort;
  spec.port = 50;
  EXPECT_FALSE(obs.Subscribe(daemon_fd_, spec).ok());
  SubscribeSpec bad;
  bad.filter.push_back(bpf_insn{0xffff, 0, 0, 0});
  EXPECT_FALSE(obs.Subscribe(daemon_fd_, bad).ok());
  EXPECT_TRUE(obs.Subscribers().empty());
}

}  // namespace
}  // namespace pvland
