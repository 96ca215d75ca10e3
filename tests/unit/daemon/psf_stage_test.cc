// Protocol state filtering in the pipeline: a port's table sees the segments its host
// sends (the stage) and those delivered to it (the last egress filter); what does not fit
// is dropped on that port under its psf reason, and everything but TCP passes.
#include "daemon/pipeline/psf_stage.h"

#include <gtest/gtest.h>

#include "tests/unit/daemon/switch_fixture.h"

namespace pvland {
namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kRst = 0x04, kFin = 0x01;

// An IPv4 TCP frame from host `s` (10.0.0.s, port 1000+s) to host `d`.
Frame Tcp(int s, int d, uint8_t flags, uint32_t seq, uint32_t ack, size_t payload = 0) {
  const MacAddr dst = HostMac(d), src = HostMac(s);
  Frame f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), {0x08, 0x00});
  const size_t total = 20 + 20 + payload;
  const uint8_t ip[20] = {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 1, 0x40, 0,
                          64, 6, 0, 0, 10, 0, 0, static_cast<uint8_t>(s), 10, 0, 0, static_cast<uint8_t>(d)};
  f.insert(f.end(), ip, ip + 20);
  const uint16_t sp = static_cast<uint16_t>(1000 + s), dp = static_cast<uint16_t>(1000 + d);
  const uint8_t tcp[20] = {static_cast<uint8_t>(sp >> 8), static_cast<uint8_t>(sp), static_cast<uint8_t>(dp >> 8),
                           static_cast<uint8_t>(dp), static_cast<uint8_t>(seq >> 24), static_cast<uint8_t>(seq >> 16),
                           static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), static_cast<uint8_t>(ack >> 24),
                           static_cast<uint8_t>(ack >> 16), static_cast<uint8_t>(ack >> 8), static_cast<uint8_t>(ack),
                           0x50, flags, 0xff, 0xff, 0, 0, 0, 0};
  f.insert(f.end(), tcp, tcp + 20);
  f.resize(f.size() + payload, 0x61);
  if (f.size() < 60) f.resize(60, 0);
  return f;
}

class PsfPipelineTest : public SwitchFixture {
 protected:
  void SetUp() override {
    Access("p1", 1);
    Access("p2", 1);
    Access("p3", 1);
    for (int i = 1; i <= 3; ++i) bridge_.fdb().AddStatic(1, 1, HostMac(i), index_["p" + std::to_string(i)]);
    SwitchPort& p1 = *bridge_.port(index_["p1"]);
    p1.cfg.psf.mode = PsfMode::kEnabled;
    bridge_.ApplyPsf(index_["p1"]);
  }
  size_t SentBy(const std::string& n) { return fakes_[n]->sent.size(); }
};

TEST_F(PsfPipelineTest, AHandshakeThroughThePortOpensAConnectionBothWays) {
  Send("p1", Tcp(1, 2, kSyn, 100, 0));
  Send("p2", Tcp(2, 1, kSyn | kAck, 500, 101));
  Send("p1", Tcp(1, 2, kAck, 101, 501));
  Send("p1", Tcp(1, 2, kAck, 101, 501, 10));
  Send("p2", Tcp(2, 1, kAck, 501, 111));
  EXPECT_EQ(SentBy("p2"), 3u);
  EXPECT_EQ(SentBy("p1"), 2u);
  ASSERT_NE(bridge_.port(index_["p1"])->psf, nullptr);
  EXPECT_EQ(bridge_.port(index_["p1"])->psf->size(), 1u);
  for (DropReason r : {DropReason::kPsfNoState, DropReason::kPsfInvalidState, DropReason::kPsfOutOfWindow})
    EXPECT_EQ(Drops("p1", r), 0u) << DropReasonName(r);
}

TEST_F(PsfPipelineTest, ASynAckWhoseSynTookAnotherPortIsDroppedOnTheWayIn) {
  // Asymmetric routing: host 1's SYN reached host 2 by another path; the answer comes here.
  Send("p2", Tcp(2, 1, kSyn | kAck, 500, 101));
  EXPECT_EQ(SentBy("p1"), 0u);
  EXPECT_EQ(Drops("p1", DropReason::kPsfNoState), 1u) << "counted on the filtering port";
  EXPECT_EQ(Drops("p2", DropReason::kPsfNoState), 0u);
}

TEST_F(PsfPipelineTest, DataWithoutAConnectionIsDroppedOnTheWayOut) {
  Send("p1", Tcp(1, 2, kAck, 101, 501, 10));
  EXPECT_EQ(SentBy("p2"), 0u);
  EXPECT_EQ(Drops("p1", DropReason::kPsfNoState), 1u);
}

TEST_F(PsfPipelineTest, InvalidFlagsAreDroppedAndOtherPortsAreUntouched) {
  Send("p1", Tcp(1, 2, kSyn | kFin, 100, 0));
  EXPECT_EQ(Drops("p1", DropReason::kPsfInvalidFlags), 1u);
  Send("p2", Tcp(2, 3, kRst, 1, 0));
  EXPECT_EQ(SentBy("p3"), 1u) << "p2 and p3 do not filter";
}

TEST_F(PsfPipelineTest, OtherTrafficIsNeverTouched) {
  Send("p2", MakeFrame(HostMac(1), HostMac(2)));  // IPv4 ethertype, no valid header
  EXPECT_EQ(SentBy("p1"), 1u);
}

TEST_F(PsfPipelineTest, DisablingForgetsTheConnections) {
  Send("p1", Tcp(1, 2, kSyn, 100, 0));
  SwitchPort& p1 = *bridge_.port(index_["p1"]);
  p1.cfg.psf.mode = PsfMode::kDisabled;
  bridge_.ApplyPsf(index_["p1"]);
  EXPECT_EQ(p1.psf, nullptr);
  p1.cfg.psf.mode = PsfMode::kAuto;
  p1.cfg.psf.role = PortRole::kInstance;
  bridge_.ApplyPsf(index_["p1"]);
  ASSERT_NE(p1.psf, nullptr) << "auto filters an instance";
  EXPECT_EQ(p1.psf->size(), 0u);
  Send("p2", Tcp(2, 1, kSyn | kAck, 500, 101));
  EXPECT_EQ(Drops("p1", DropReason::kPsfNoState), 1u);
}

}  // namespace
}  // namespace pvland
