// tcp_in_window: the four inequalities, window scaling, SACK, the liberal flag.
#include "daemon/psf/tcp_conntrack.h"
#include "gtest/gtest.h"
#include "tests/unit/psf/psf_test_util.h"

namespace pvland::psf {
namespace {

using testing::kAck;
using testing::kPshAck;
using testing::kSyn;
using testing::kSynAck;
using testing::Opts;

class PsfWindow : public testing::PsfFixture {
 protected:
  // The client sends `n` segments of `len` bytes from kCisn+1, each acknowledged at once
  // by the server (window 65535, no scaling); returns the client's next sequence number.
  uint32_t SendAcked(int n, uint32_t len) {
    uint32_t seq = kCisn + 1;
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(C(kPshAck, seq, kSisn + 1, len).pass);
      seq += len;
      EXPECT_TRUE(S(kAck, kSisn + 1, seq).pass);
    }
    return seq;
  }
};

TEST_F(PsfWindow, InWindowDataAndAcksPass) {
  Handshake();
  const TcpSide& c = Entry()->conn.side(CtDir::kOriginal);
  EXPECT_EQ(c.end, kCisn + 1);
  EXPECT_EQ(c.maxend, kCisn + 1 + 65535);  // the server's window from its SYN-ACK
  Verdict v = C(kPshAck, kCisn + 1, kSisn + 1, 1400);
  EXPECT_TRUE(v.pass);
  EXPECT_TRUE(v.detail.empty());
  EXPECT_EQ(Entry()->conn.side(CtDir::kOriginal).end, kCisn + 1 + 1400);
  EXPECT_TRUE(S(kAck, kSisn + 1, kCisn + 1401).pass);
  EXPECT_EQ(Entry()->conn.side(CtDir::kReply).maxack, kCisn + 1401);
}

TEST_F(PsfWindow, SeqOverTheUpperBoundIsDropped) {
  Handshake();
  Verdict v = C(kPshAck, kCisn + 1 + 1000000000, kSisn + 1, 100);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
  EXPECT_NE(v.detail.find("SEQ is over the upper bound"), std::string_view::npos);
  // The state did not move.
  EXPECT_EQ(Entry()->conn.side(CtDir::kOriginal).end, kCisn + 1);
}

TEST_F(PsfWindow, SmallOvershootIsToleratedAndTracked) {
  Handshake();
  // 1000 bytes past the server's window: within the receiver's largest window, so the
  // kernel lets it pass (ignored) and takes its end, so the ACK of it is in window.
  const uint32_t seq = kCisn + 1 + 65535 + 1;  // one past the bound (seq == maxend is in)
  Verdict v = C(kPshAck, seq, kSisn + 1, 1000);
  EXPECT_TRUE(v.pass);
  EXPECT_NE(v.detail.find("more bytes"), std::string_view::npos);
  EXPECT_EQ(Entry()->conn.side(CtDir::kOriginal).end, seq + 1000);
  EXPECT_TRUE(S(kAck, kSisn + 1, seq + 1000).pass);
}

TEST_F(PsfWindow, AckBeyondDataIsDropped) {
  Handshake();
  Verdict v = C(kAck, kCisn + 1, kSisn + 1 + 10);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
  EXPECT_NE(v.detail.find("ACK is over the upper bound"), std::string_view::npos);
}

TEST_F(PsfWindow, SeqUnderTheLowerBoundPassesIgnored) {
  Handshake();
  SendAcked(3, 30000);  // the client's end is 90000 past its ISN
  // A retransmission of the first bytes, acknowledged long ago.
  Verdict v = C(kPshAck, kCisn + 1, kSisn + 1, 1000);
  EXPECT_TRUE(v.pass);
  EXPECT_NE(v.detail.find("SEQ is under the lower bound"), std::string_view::npos);
  EXPECT_EQ(Entry()->conn.side(CtDir::kOriginal).end, kCisn + 1 + 90000);
}

TEST_F(PsfWindow, AckTooOldPassesIgnored) {
  Handshake();
  SendAcked(3, 30000);
  // An ACK 90000 behind the client's data: more than MAXACKWINDOW (66000) behind.
  Verdict v = S(kAck, kSisn + 1, kCisn + 1);
  EXPECT_TRUE(v.pass);
  EXPECT_NE(v.detail.find("ACK is under the lower bound"), std::string_view::npos);
}

TEST_F(PsfWindow, WindowScalingNeedsBothSides) {
  Handshake(Opts{.wscale = 7}, Opts{.wscale = 7});
  EXPECT_EQ(Entry()->conn.scale(CtDir::kOriginal), 7);
  EXPECT_EQ(Entry()->conn.scale(CtDir::kReply), 7);
  // The server announces 4096 << 7 = 512 KiB.
  ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 1, 0, 4096).pass);
  EXPECT_EQ(Entry()->conn.side(CtDir::kOriginal).maxend, kCisn + 1 + (4096u << 7));
  EXPECT_TRUE(C(kPshAck, kCisn + 1 + 400000, kSisn + 1, 1000).pass);
}

TEST_F(PsfWindow, WindowScaleOnOneSideOnlyIsOff) {
  Handshake(Opts{.wscale = 7}, Opts{});
  EXPECT_EQ(Entry()->conn.scale(CtDir::kOriginal), 0);
  EXPECT_EQ(Entry()->conn.scale(CtDir::kReply), 0);
  ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 1, 0, 4096).pass);
  Verdict v = C(kPshAck, kCisn + 1 + 400000, kSisn + 1, 1000);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
}

TEST_F(PsfWindow, WindowScaleIsClampedTo14) {
  ASSERT_TRUE(C(kSyn, kCisn, 0, 0, 65535, Opts{.wscale = 14}).pass);
  TcpSegment s = testing::Seg(testing::kServer, testing::kClient, kSynAck, kSisn, kCisn + 1);
  s.has_window_scale = true;
  s.window_scale = 14;  // ParseTcpHeader clamps 15 and above to this
  s.header_len = 24;
  ASSERT_TRUE(Track(table, s, PortDir::kToPort, clock.Now()).pass);
  EXPECT_EQ(Entry()->conn.scale(CtDir::kReply), 14);
}

TEST_F(PsfWindow, SackRightEdgeIsTheAckChecked) {
  Handshake(Opts{.sack_perm = true}, Opts{.sack_perm = true});
  ASSERT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 10000).pass);
  // ACK of the first byte, SACK of the rest: in window.
  Verdict v = S(kAck, kSisn + 1, kCisn + 1, 0, 65535, Opts{.sack = {{kCisn + 1001, kCisn + 10001}}});
  EXPECT_TRUE(v.pass);
  // A SACK block past what the client sent: the ACK is over the upper bound.
  v = S(kAck, kSisn + 1, kCisn + 1, 0, 65535,
        Opts{.sack = {{kCisn + 1001, kCisn + 2001}, {kCisn + 5001, kCisn + 20001}}});
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
}

TEST_F(PsfWindow, SackIsIgnoredWithoutPermission) {
  Handshake(Opts{}, Opts{.sack_perm = true});  // the client (receiver of the SACK) did not allow it
  ASSERT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 10000).pass);
  EXPECT_TRUE(S(kAck, kSisn + 1, kCisn + 1, 0, 65535, Opts{.sack = {{kCisn + 5001, kCisn + 20001}}}).pass);
}

TEST_F(PsfWindow, BeLiberalPassesWindowFailures) {
  Handshake();
  table.config().be_liberal = true;
  EXPECT_TRUE(C(kPshAck, kCisn + 1 + 1000000000, kSisn + 1, 100).pass);
  EXPECT_TRUE(C(kAck, kCisn + 1, kSisn + 1000).pass);
  // The state table still refuses.
  EXPECT_EQ(S(testing::kSyn, kSisn, 0).reason, Reason::kInvalidState);
}

}  // namespace
}  // namespace pvland::psf
