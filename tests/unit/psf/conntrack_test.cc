// The state machine through Track(): handshakes, closes, resets, reopen, pickup, the
// kernel's extra rules around the table, lifetimes.
#include "daemon/psf/tcp_conntrack.h"
#include "gtest/gtest.h"
#include "tests/unit/psf/psf_test_util.h"

namespace pvland::psf {
namespace {

using testing::kAck;
using testing::kFinAck;
using testing::kPshAck;
using testing::kRst;
using testing::kRstAck;
using testing::kSyn;
using testing::kSynAck;
using testing::Opts;

class PsfConntrack : public testing::PsfFixture {
 protected:
  // Brings the connection into `s` with in-window segments.
  void Drive(TcpState s) {
    switch (s) {
      case TcpState::kSynSent:
        ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
        break;
      case TcpState::kSynSent2:
        ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
        ASSERT_TRUE(S(kSyn, kSisn, 0).pass);
        break;
      case TcpState::kSynRecv:
        ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
        ASSERT_TRUE(S(kSynAck, kSisn, kCisn + 1).pass);
        break;
      case TcpState::kEstablished:
        Handshake();
        break;
      case TcpState::kFinWait:
        Handshake();
        ASSERT_TRUE(C(kFinAck, kCisn + 1, kSisn + 1).pass);
        break;
      case TcpState::kCloseWait:
        Drive(TcpState::kFinWait);
        ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 2).pass);
        break;
      case TcpState::kLastAck:
        Drive(TcpState::kCloseWait);
        ASSERT_TRUE(S(kFinAck, kSisn + 1, kCisn + 2).pass);
        break;
      case TcpState::kTimeWait:
        Drive(TcpState::kLastAck);
        ASSERT_TRUE(C(kAck, kCisn + 2, kSisn + 2).pass);
        break;
      case TcpState::kClose:
        Handshake();
        ASSERT_TRUE(C(kRst, kCisn + 1, 0).pass);
        break;
      case TcpState::kNone:
        break;
    }
    ASSERT_EQ(State(), s);
  }
};

// Every sIV cell drops with psf_invalid_state and every sIG cell passes leaving the state
// as it was, from each reachable state, both directions. (The state cells are the
// scenarios below; the "none" class never gets past the flag check.)
TEST_F(PsfConntrack, InvalidAndIgnoredCellsEndToEnd) {
  const TcpState states[] = {TcpState::kSynSent, TcpState::kSynSent2, TcpState::kSynRecv,
                             TcpState::kEstablished, TcpState::kFinWait, TcpState::kCloseWait,
                             TcpState::kLastAck, TcpState::kTimeWait, TcpState::kClose};
  const uint8_t class_flags[] = {kSyn, kSynAck, kFinAck, kAck, kRstAck};
  int cells = 0;
  for (TcpState s : states) {
    for (int d = 0; d < 2; ++d) {
      for (int c = 0; c < 5; ++c) {
        const TableCell cell = Transition(static_cast<CtDir>(d), static_cast<TcpClass>(c), s);
        if (cell.kind == TableCell::kState) continue;
        table.Flush();
        Drive(s);
        const uint8_t f = class_flags[c];
        // Plausible numbers; neither kind of cell looks at the window.
        const Verdict v = d == 0 ? C(f, kCisn + 1, kSisn + 1) : S(f, kSisn + 1, kCisn + 1);
        if (cell.kind == TableCell::kInvalid) {
          EXPECT_FALSE(v.pass) << TcpStateName(s) << " dir " << d << " " << TcpClassName(static_cast<TcpClass>(c));
          EXPECT_EQ(v.reason, Reason::kInvalidState);
        } else {
          EXPECT_TRUE(v.pass) << TcpStateName(s) << " dir " << d << " " << TcpClassName(static_cast<TcpClass>(c));
          EXPECT_EQ(State(), s);
        }
        ++cells;
      }
    }
  }
  EXPECT_EQ(cells, 33);  // 16 ORIGINAL and 17 REPLY cells are sIV or sIG
}

TEST_F(PsfConntrack, ThreeWayHandshake) {
  Verdict v = C(kSyn, kCisn, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynSent);
  EXPECT_EQ(Remaining(), 120);
  EXPECT_EQ(Entry()->origin_dir(), PortDir::kFromPort);
  v = S(kSynAck, kSisn, kCisn + 1);
  EXPECT_EQ(v.state, TcpState::kSynRecv);
  EXPECT_EQ(Remaining(), 60);
  v = C(kAck, kCisn + 1, kSisn + 1);
  EXPECT_EQ(v.state, TcpState::kEstablished);
  EXPECT_TRUE(Entry()->conn.assured());
  EXPECT_EQ(Remaining(), 432000);
}

TEST_F(PsfConntrack, RetransmittedSynDoesNotExtendTheEntry) {
  ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
  clock.Advance(100 * kNsPerSec);
  EXPECT_TRUE(C(kSyn, kCisn, 0).pass);
  EXPECT_EQ(Remaining(), 20);
  clock.Advance(21 * kNsPerSec);
  EXPECT_EQ(State(), TcpState::kNone);
}

TEST_F(PsfConntrack, FinAckCloseToTimeWait) {
  Handshake();
  EXPECT_EQ(C(kFinAck, kCisn + 1, kSisn + 1).state, TcpState::kFinWait);
  EXPECT_TRUE(Entry()->conn.flags(CtDir::kOriginal) & kCtCloseInit);
  EXPECT_EQ(S(kAck, kSisn + 1, kCisn + 2).state, TcpState::kCloseWait);
  EXPECT_EQ(Remaining(), 60);
  EXPECT_EQ(S(kFinAck, kSisn + 1, kCisn + 2).state, TcpState::kLastAck);
  EXPECT_EQ(Remaining(), 30);
  EXPECT_EQ(C(kAck, kCisn + 2, kSisn + 2).state, TcpState::kTimeWait);
  EXPECT_EQ(Remaining(), 120);
  // A retransmitted last ACK stays in TIME_WAIT.
  EXPECT_EQ(C(kAck, kCisn + 2, kSisn + 2).state, TcpState::kTimeWait);
  clock.Advance(121 * kNsPerSec);
  EXPECT_EQ(State(), TcpState::kNone);
  EXPECT_EQ(C(kAck, kCisn + 2, kSisn + 2).reason, Reason::kNoState);
}

TEST_F(PsfConntrack, BothSidesFinTogether) {
  Handshake();
  EXPECT_EQ(C(kFinAck, kCisn + 1, kSisn + 1).state, TcpState::kFinWait);
  EXPECT_EQ(S(kFinAck, kSisn + 1, kCisn + 1).state, TcpState::kLastAck);
  EXPECT_EQ(C(kAck, kCisn + 2, kSisn + 2).state, TcpState::kTimeWait);
}

TEST_F(PsfConntrack, SimultaneousOpen) {
  EXPECT_EQ(C(kSyn, kCisn, 0).state, TcpState::kSynSent);
  Verdict v = S(kSyn, kSisn, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynSent2);
  EXPECT_EQ(Remaining(), 120);
  EXPECT_EQ(S(kSyn, kSisn, 0).state, TcpState::kSynSent2);  // retransmitted
  v = C(kSynAck, kCisn, kSisn + 1);
  EXPECT_EQ(v.state, TcpState::kSynRecv);
  // The other SYN-ACK of the crossing pair is ignored (REPLY SYN-ACK in SYN_RECV).
  v = S(kSynAck, kSisn, kCisn + 1);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynRecv);
  // The table says SYN_RECV for a REPLY ACK; a simultaneous open makes it ESTABLISHED.
  v = S(kAck, kSisn + 1, kCisn + 1);
  EXPECT_EQ(v.state, TcpState::kEstablished);
}

TEST_F(PsfConntrack, OnlyASynOpensAConnection) {
  Verdict v = S(kSynAck, kSisn, kCisn + 1);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kNoState);
  EXPECT_EQ(C(kFinAck, kCisn, kSisn).reason, Reason::kNoState);
  EXPECT_EQ(C(kRst, kCisn, 0).reason, Reason::kNoState);
  EXPECT_EQ(C(kPshAck, kCisn, kSisn, 100).reason, Reason::kNoState);
  EXPECT_EQ(table.size(), 0u);
}

TEST_F(PsfConntrack, InvalidFlagsDropBeforeLookup) {
  Handshake();
  EXPECT_EQ(C(0, kCisn + 1, 0).reason, Reason::kInvalidFlags);
  EXPECT_EQ(C(testing::kSyn | kTcpFin, kCisn + 1, 0).reason, Reason::kInvalidFlags);
  EXPECT_EQ(C(kTcpFin, kCisn + 1, 0).reason, Reason::kInvalidFlags);
  EXPECT_EQ(C(kTcpSyn | kTcpRst, kCisn + 1, 0).reason, Reason::kInvalidFlags);
  EXPECT_EQ(State(), TcpState::kEstablished);
}

TEST_F(PsfConntrack, PickupOffRefusesMidStream) {
  Verdict v = C(kAck, kCisn + 1, kSisn + 1);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kNoState);
  EXPECT_NE(v.detail.find("pickup is off"), std::string_view::npos);
}

TEST_F(PsfConntrack, PickupOnTakesAnAckLiberally) {
  table.config().loose = true;
  Verdict v = C(kPshAck, 700000, 9000000, 100);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kEstablished);
  EXPECT_TRUE(Entry()->conn.liberal(CtDir::kOriginal));
  EXPECT_TRUE(Entry()->conn.liberal(CtDir::kReply));
  EXPECT_FALSE(Entry()->conn.assured());
  EXPECT_EQ(Remaining(), 300);  // unanswered pickup: unacknowledged timeout
  // The answer is tracked before SEEN_REPLY is set (the conntrack core sets it after),
  // so it neither assures nor lengthens; the next segment does.
  v = S(kAck, 9000000, 700100);
  EXPECT_TRUE(v.pass);
  EXPECT_TRUE(Entry()->conn.seen_reply());
  EXPECT_FALSE(Entry()->conn.assured());
  EXPECT_EQ(Remaining(), 300);
  EXPECT_TRUE(C(kAck, 700100, 9000000).pass);
  EXPECT_TRUE(Entry()->conn.assured());
  EXPECT_EQ(Remaining(), 432000);
  // Liberal: far outside any window still passes.
  EXPECT_TRUE(C(kPshAck, 700100 + 500000000, 9000000, 10).pass);
  // A SYN-ACK or FIN cannot pick up.
  table.Flush();
  EXPECT_EQ(S(kSynAck, kSisn, kCisn + 1).reason, Reason::kNoState);
  EXPECT_EQ(C(kFinAck, kCisn, kSisn).reason, Reason::kNoState);
}

TEST_F(PsfConntrack, ReopenInTimeWait) {
  Drive(TcpState::kTimeWait);
  Verdict v = C(kSyn, 800000, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynSent);
  EXPECT_EQ(table.counters().removed, 1u);
  EXPECT_EQ(table.counters().inserted, 2u);
  EXPECT_EQ(S(kSynAck, 900000, 800001).state, TcpState::kSynRecv);
  EXPECT_EQ(C(kAck, 800001, 900001).state, TcpState::kEstablished);
}

TEST_F(PsfConntrack, ReplySynInTimeWaitReopensWithRolesSwapped) {
  Drive(TcpState::kTimeWait);
  Verdict v = S(kSyn, 800000, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynSent);
  EXPECT_EQ(Entry()->origin_dir(), PortDir::kToPort);
  EXPECT_EQ(C(kSynAck, 900000, 800001).state, TcpState::kSynRecv);
}

TEST_F(PsfConntrack, SynInCloseReopensOnlyFromTheResettingSide) {
  Drive(TcpState::kClose);  // the client reset it
  EXPECT_EQ(Remaining(), 10);
  // The server's SYN: REPLY SYN in CLOSE is invalid.
  EXPECT_EQ(S(kSyn, 800000, 0).reason, Reason::kInvalidState);
  // The client's SYN reopens.
  Verdict v = C(kSyn, 800000, 0);
  EXPECT_EQ(v.state, TcpState::kSynSent);
  EXPECT_EQ(table.counters().removed, 1u);
}

TEST_F(PsfConntrack, SynInCloseAfterThePeersResetIsIgnored) {
  Handshake();
  ASSERT_TRUE(S(kRst, kSisn + 1, 0).pass);  // the server reset it
  ASSERT_EQ(State(), TcpState::kClose);
  Verdict v = C(kSyn, 800000, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(State(), TcpState::kClose);  // ignored, remembered
  // The server's SYN-ACK to that SYN resynchronises the entry.
  v = S(kSynAck, 900000, 800001);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynRecv);
  EXPECT_EQ(C(kAck, 800001, 900001).state, TcpState::kEstablished);
}

TEST_F(PsfConntrack, IgnoredSynThenSynAckResyncs) {
  Handshake();
  // A new SYN in ESTABLISHED (the client restarted): ignored, passed, remembered.
  Verdict v = C(kSyn, 3000000, 0, 0, 65535, Opts{.wscale = 5, .sack_perm = true});
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kEstablished);
  // A SYN-ACK that does not acknowledge it is ignored as well.
  EXPECT_EQ(S(kSynAck, 7000000, 1234).state, TcpState::kEstablished);
  // One that does: the endpoints are in sync, the entry follows.
  EXPECT_TRUE(C(kSyn, 3000000, 0, 0, 65535, Opts{.wscale = 5, .sack_perm = true}).pass);
  v = S(kSynAck, 7000000, 3000001, 0, 65535, Opts{.wscale = 6, .sack_perm = true});
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kSynRecv);
  EXPECT_EQ(Entry()->conn.scale(CtDir::kOriginal), 5);
  EXPECT_EQ(Entry()->conn.scale(CtDir::kReply), 6);
  EXPECT_EQ(C(kAck, 3000001, 7000001).state, TcpState::kEstablished);
}

TEST_F(PsfConntrack, ChallengeAckInLastAckIsNotTheLastAck) {
  Drive(TcpState::kLastAck);
  EXPECT_TRUE(C(kSyn, 800000, 0).pass);  // ignored SYN in LAST_ACK
  Verdict v = S(kAck, kSisn + 2, kCisn + 2);  // the server's challenge ACK
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(State(), TcpState::kLastAck);
  EXPECT_NE(v.detail.find("challenge"), std::string_view::npos);
}

TEST_F(PsfConntrack, RstBeforeAnyReplyDeletesTheEntry) {
  ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
  Verdict v = S(kRstAck, 0, kCisn + 1);  // port closed
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kNone);
  EXPECT_EQ(table.size(), 0u);
  // The same from the client's side.
  ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
  EXPECT_TRUE(C(kRst, kCisn + 1, 0).pass);
  EXPECT_EQ(table.size(), 0u);
}

TEST_F(PsfConntrack, RstInWindowCloses) {
  Handshake();
  ASSERT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 100).pass);
  ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 101).pass);
  Verdict v = C(kRst, kCisn + 101, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kClose);
  EXPECT_EQ(Remaining(), 10);
  clock.Advance(11 * kNsPerSec);
  EXPECT_EQ(State(), TcpState::kNone);
}

TEST_F(PsfConntrack, RstBelowThePeersAckIsInvalid) {
  Handshake();
  ASSERT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 1000).pass);
  ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 1001).pass);
  Verdict v = C(kRst, kCisn + 500, 0);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
  EXPECT_NE(v.detail.find("invalid rst"), std::string_view::npos);
  EXPECT_EQ(State(), TcpState::kEstablished);
  // be_liberal does not help a RST below the ACK...
  table.config().be_liberal = true;
  EXPECT_FALSE(C(kRst, kCisn + 500, 0).pass);
  // ...tcp_ignore_invalid_rst does; the sequence is not exact, so the state stays
  // (room for a challenge ACK).
  table.config().ignore_invalid_rst = true;
  v = C(kRst, kCisn + 500, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kEstablished);
}

TEST_F(PsfConntrack, RstFarAheadIsOverTheWindow) {
  Handshake();
  ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 1).pass);
  Verdict v = C(kRst, kCisn + 1 + 1000000000, 0);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
  EXPECT_EQ(State(), TcpState::kEstablished);
  // With be_liberal the window checks pass everything (the kernel's nf_tcp_log_invalid);
  // the inexact RST keeps ESTABLISHED.
  table.config().be_liberal = true;
  v = C(kRst, kCisn + 1 + 1000000000, 0);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kEstablished);
}

TEST_F(PsfConntrack, RstAfterDataTrainCloses) {
  Handshake();
  ASSERT_TRUE(S(kPshAck, kSisn + 1, kCisn + 1, 19).pass);
  ASSERT_TRUE(C(kAck, kCisn + 1, kSisn + 20).pass);
  ASSERT_TRUE(S(kPshAck, kSisn + 20, kCisn + 1, 19).pass);
  // The RST follows the server's own data at its end, not at the client's last ACK.
  Verdict v = S(kRstAck, kSisn + 39, kCisn + 1);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.state, TcpState::kClose);
}

TEST_F(PsfConntrack, OutOfWindowFinShortensAnAssuredConnection) {
  table.config().timeouts.state[static_cast<int>(TcpState::kCloseWait)] = 1000 * kNsPerSec;
  Handshake();
  ASSERT_TRUE(C(kFinAck, kCisn + 1, kSisn + 1).pass);  // FIN_WAIT
  ASSERT_TRUE(S(kAck, kSisn + 1, kCisn + 2).pass);     // CLOSE_WAIT, 1000 s
  // The server's FIN, far out of window: dropped; the last tracked segment from the other
  // side was not a FIN or RST, so this one is only noted.
  Verdict v = S(kFinAck, kSisn + 1 + 1000000000, kCisn + 2);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, Reason::kOutOfWindow);
  EXPECT_EQ(Remaining(), 1000);
  // The client's out-of-window FIN answers it: the lifetime falls to the unacknowledged
  // timeout (nf_tcp_handle_invalid).
  v = C(kFinAck, kCisn + 2 + 1000000000, kSisn + 1);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(Remaining(), 300);
  EXPECT_EQ(State(), TcpState::kCloseWait);
}

TEST_F(PsfConntrack, TimeoutsAreSettable) {
  table.config().timeouts.state[static_cast<int>(TcpState::kEstablished)] = 5 * kNsPerSec;
  Handshake();
  EXPECT_EQ(Remaining(), 5);
  clock.Advance(3 * kNsPerSec);
  EXPECT_TRUE(C(kAck, kCisn + 1, kSisn + 1).pass);  // keepalive-like: refreshes
  clock.Advance(3 * kNsPerSec);
  EXPECT_EQ(State(), TcpState::kEstablished);
  clock.Advance(6 * kNsPerSec);
  EXPECT_EQ(C(kPshAck, kCisn + 1, kSisn + 1, 10).reason, Reason::kNoState);
}

TEST_F(PsfConntrack, UnacknowledgedDataShortensTheLifetime) {
  table.config().timeouts.unacknowledged = 250 * kNsPerSec;
  Handshake();
  EXPECT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 100).pass);
  EXPECT_EQ(Remaining(), 250);
  EXPECT_TRUE(S(kAck, kSisn + 1, kCisn + 101).pass);
  EXPECT_EQ(Remaining(), 432000);
}

TEST_F(PsfConntrack, RetransmissionsShortenTheLifetime) {
  table.config().timeouts.retrans = 200 * kNsPerSec;
  table.config().timeouts.unacknowledged = 250 * kNsPerSec;
  Handshake();
  EXPECT_TRUE(S(kAck, kSisn + 1, kCisn + 1).pass);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 100).pass);
    EXPECT_EQ(Remaining(), 250) << i;  // data unacknowledged
    EXPECT_EQ(Entry()->conn.retrans(), i);
  }
  EXPECT_TRUE(C(kPshAck, kCisn + 1, kSisn + 1, 100).pass);  // third retransmission
  EXPECT_EQ(Entry()->conn.retrans(), 3);
  EXPECT_EQ(Remaining(), 200);
  EXPECT_TRUE(S(kAck, kSisn + 1, kCisn + 101).pass);  // acknowledged: counting restarts
  EXPECT_EQ(Entry()->conn.retrans(), 0);
  EXPECT_EQ(Remaining(), 432000);
}

TEST_F(PsfConntrack, ZeroWindowUsesTheRetransTimeout) {
  table.config().timeouts.retrans = 200 * kNsPerSec;
  Handshake();
  EXPECT_TRUE(S(kAck, kSisn + 1, kCisn + 1, 0, 0).pass);
  EXPECT_EQ(Remaining(), 200);
}

TEST_F(PsfConntrack, DirectionComesFromTheTupleNotThePort) {
  ASSERT_TRUE(C(kSyn, kCisn, 0).pass);
  // The server's SYN-ACK, even if it were seen going from the port, is REPLY.
  const TcpSegment synack = testing::Seg(testing::kServer, testing::kClient, kSynAck, kSisn, kCisn + 1);
  EXPECT_EQ(Track(table, synack, PortDir::kFromPort, clock.Now()).state, TcpState::kSynRecv);
}

}  // namespace
}  // namespace pvland::psf
