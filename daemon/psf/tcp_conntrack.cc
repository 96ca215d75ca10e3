#include "daemon/psf/tcp_conntrack.h"

namespace pvland::psf {
namespace {

// Sequence-space order (the kernel's before/after): true when a comes before b.
bool Before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
bool After(uint32_t a, uint32_t b) { return Before(b, a); }

// An ACK may lag the data it acknowledges by at most this much, or by the sender's largest
// window if that is larger (MAXACKWINDOW).
constexpr uint32_t kMaxAckWindowConst = 66000;
uint32_t MaxAckWindow(const TcpSide& sender) {
  return sender.maxwin > kMaxAckWindowConst ? sender.maxwin : kMaxAckWindowConst;
}

// nf_tcp_handle_invalid only shortens lifetimes longer than this.
constexpr MonoNs kHandleInvalidFloor = 120 * kNsPerSec;

constexpr TableCell S(TcpState s) { return TableCell{TableCell::kState, s}; }
constexpr TableCell kIV{TableCell::kInvalid, TcpState::kNone};
constexpr TableCell kIG{TableCell::kIgnore, TcpState::kNone};
constexpr TableCell sSS = S(TcpState::kSynSent);
constexpr TableCell sSR = S(TcpState::kSynRecv);
constexpr TableCell sES = S(TcpState::kEstablished);
constexpr TableCell sFW = S(TcpState::kFinWait);
constexpr TableCell sCW = S(TcpState::kCloseWait);
constexpr TableCell sLA = S(TcpState::kLastAck);
constexpr TableCell sTW = S(TcpState::kTimeWait);
constexpr TableCell sCL = S(TcpState::kClose);
constexpr TableCell sS2 = S(TcpState::kSynSent2);

// tcp_conntracks[dir][class][old state]. Columns: NONE, SYN_SENT, SYN_RECV, ESTABLISHED,
// FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, SYN_SENT2.
constexpr TableCell kTable[2][kTcpClassCount][kTcpStateCount] = {
    {
        // ORIGINAL
        /* syn    */ {sSS, sSS, kIG, kIG, kIG, kIG, kIG, sSS, sSS, sS2},
        /* synack */ {kIV, kIV, sSR, kIV, kIV, kIV, kIV, kIV, kIV, sSR},
        /* fin    */ {kIV, kIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, kIV},
        /* ack    */ {sES, kIV, sES, sES, sCW, sCW, sTW, sTW, sCL, kIV},
        /* rst    */ {kIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /* none   */ {kIV, kIV, kIV, kIV, kIV, kIV, kIV, kIV, kIV, kIV},
    },
    {
        // REPLY
        /* syn    */ {kIV, sS2, kIV, kIV, kIV, kIV, kIV, sSS, kIV, sS2},
        /* synack */ {kIV, sSR, kIG, kIG, kIG, kIG, kIG, kIG, kIG, sSR},
        /* fin    */ {kIV, kIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, kIV},
        /* ack    */ {kIV, kIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, kIG},
        /* rst    */ {kIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /* none   */ {kIV, kIV, kIV, kIV, kIV, kIV, kIV, kIV, kIV, kIV},
    },
};

// tcp_valid_flags, indexed by FIN|SYN|RST|ACK|URG.
constexpr uint8_t kFlagMask = kTcpFin | kTcpSyn | kTcpRst | kTcpAck | kTcpUrg;
constexpr bool ValidCombination(uint8_t f) {
  return f == kTcpSyn || f == (kTcpSyn | kTcpUrg) || f == (kTcpSyn | kTcpAck) || f == kTcpRst ||
         f == (kTcpRst | kTcpAck) || f == (kTcpFin | kTcpAck) ||
         f == (kTcpFin | kTcpAck | kTcpUrg) || f == kTcpAck || f == (kTcpAck | kTcpUrg);
}

// tcp_can_early_drop: the closing states, where a RST needs no window check.
bool Closing(TcpState s) {
  return s == TcpState::kFinWait || s == TcpState::kLastAck || s == TcpState::kTimeWait ||
         s == TcpState::kClose || s == TcpState::kCloseWait;
}

}  // namespace

std::string_view TcpStateName(TcpState s) {
  static constexpr std::string_view kNames[kTcpStateCount] = {
      "NONE",     "SYN_SENT",  "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
      "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2"};
  const int i = static_cast<int>(s);
  return i < kTcpStateCount ? kNames[i] : "?";
}

std::string_view TcpClassName(TcpClass c) {
  static constexpr std::string_view kNames[kTcpClassCount] = {"syn", "synack", "fin",
                                                              "ack", "rst",    "none"};
  const int i = static_cast<int>(c);
  return i < kTcpClassCount ? kNames[i] : "?";
}

TcpClass ClassOf(uint8_t flags) {
  if (flags & kTcpRst) return TcpClass::kRst;
  if (flags & kTcpSyn) return (flags & kTcpAck) ? TcpClass::kSynAck : TcpClass::kSyn;
  if (flags & kTcpFin) return TcpClass::kFin;
  if (flags & kTcpAck) return TcpClass::kAck;
  return TcpClass::kNone;
}

TableCell Transition(CtDir dir, TcpClass c, TcpState old_state) {
  return kTable[static_cast<int>(dir)][static_cast<int>(c)][static_cast<int>(old_state)];
}

bool ValidTcpFlags(uint8_t flags) { return ValidCombination(flags & kFlagMask); }

// tcp_options: a side's scale and SACK permission come from its SYN; the liberal bit stays.
void TcpConn::ReadOptions(const TcpSegment& seg, int side) {
  if (seg.header_len <= kTcpMinHeaderLen) return;  // no options: the kernel keeps both
  scale_[side] = 0;
  flags_[side] &= kCtBeLiberal;
  if (seg.sack_permitted) flags_[side] |= kCtSackPerm;
  if (seg.has_window_scale) {
    scale_[side] = seg.window_scale;
    flags_[side] |= kCtWindowScale;
  }
}

// nf_ct_tcp_state_reset.
void TcpConn::ResetSide(int side) {
  seen_[side] = TcpSide{};
  scale_[side] = 0;
  flags_[side] &= kCtBeLiberal;
}

bool TcpConn::Open(const TcpSegment& seg, const TcpTrackConfig& cfg, std::string_view* why) {
  const TableCell cell = Transition(CtDir::kOriginal, ClassOf(seg.flags), TcpState::kNone);
  if (cell.kind != TableCell::kState) {
    *why = "only a SYN, or a bare ACK when pickup is on, may open a connection (tcp_new: invalid new)";
    return false;
  }
  if (cell.state != TcpState::kSynSent && !cfg.loose) {
    *why = "mid-stream pickup is off: an ACK without an entry opens nothing (tcp_new, tcp_loose=0)";
    return false;
  }
  *this = TcpConn{};
  TcpSide& s = seen_[0];
  s.end = seg.end();
  s.maxwin = seg.window == 0 ? 1 : seg.window;
  if (cell.state == TcpState::kSynSent) {
    s.maxend = s.end;
    ReadOptions(seg, 0);
  } else {
    // Picked up mid-stream: the history is lost, so both sides are taken as SACK-capable
    // and tracked liberally (window scaling is unknown).
    s.maxend = s.end + s.maxwin;
    flags_[0] = flags_[1] = kCtSackPerm | kCtBeLiberal;
  }
  last_index_ = static_cast<uint8_t>(TcpClass::kNone);
  return true;
}

// tcp_init_sender: a SYN-ACK answering a SYN, or a SYN from the reply side.
void TcpConn::InitSender(const TcpSegment& seg, CtDir dir) {
  const int s = Idx(dir);
  seen_[s].end = seen_[s].maxend = seg.end();
  seen_[s].maxwin = seg.window == 0 ? 1 : seg.window;
  ReadOptions(seg, s);
  // RFC 7323: scaling is on only if both SYNs carried the option.
  if (dir == CtDir::kReply &&
      !((flags_[s] & kCtWindowScale) && (flags_[1 - s] & kCtWindowScale))) {
    scale_[0] = scale_[1] = 0;
  }
}

// nf_tcp_log_invalid: a liberal sender, or be_liberal, turns any window refusal into a pass.
TcpConn::WindowResult TcpConn::Refuse(WindowResult r, CtDir dir, const TcpTrackConfig& cfg) const {
  if (liberal(dir) || cfg.be_liberal) return WindowResult::kAccept;
  return r;
}

// tcp_in_window.
TcpConn::WindowResult TcpConn::InWindow(const TcpSegment& seg, CtDir dir, TcpClass c,
                                        const TcpTrackConfig& cfg, std::string_view* detail) {
  const int si = Idx(dir);
  TcpSide& sender = seen_[si];
  TcpSide& receiver = seen_[1 - si];
  uint32_t seq = seg.seq;
  uint32_t ack = seg.ack;
  uint32_t sack = ack;
  const uint16_t win_raw = seg.window;
  uint32_t win = win_raw;
  uint32_t end = seg.end();
  const bool syn = seg.has(kTcpSyn);
  const bool has_ack = seg.has(kTcpAck);
  if (flags_[1 - si] & kCtSackPerm) sack = seg.HighestSack();

  if (sender.maxwin == 0) {
    // First segment seen from this side.
    if (syn) {
      InitSender(seg, dir);
      if (!has_ack) return WindowResult::kAccept;  // simultaneous open
    } else {
      // Mid-connection: take what the segment shows.
      sender.end = end;
      const uint32_t swin = win << scale_[si];
      sender.maxwin = swin == 0 ? 1 : swin;
      sender.maxend = end + sender.maxwin;
      if (receiver.maxwin == 0) {
        // Nothing seen the other way yet: let checks III and IV pass until then.
        receiver.end = receiver.maxend = sack;
      } else if (sack == receiver.end + 1) {
        ++receiver.end;  // likely the answer to a keepalive
      }
    }
  } else if (syn && After(end, sender.end) &&
             (state() == TcpState::kSynSent || state() == TcpState::kSynRecv)) {
    // A SYN (or SYN-ACK) with a newer sequence: the peer restarted; start this side over.
    InitSender(seg, dir);
    if (dir == CtDir::kReply && !has_ack) return WindowResult::kAccept;
  }

  if (!has_ack) {
    ack = sack = receiver.end;  // no ACK: as if it acknowledged everything
  } else if (seg.has(kTcpRst) && ack == 0) {
    ack = sack = receiver.end;  // stacks that send RST+ACK with a zero ack
  }

  if (seg.has(kTcpRst) && seq == 0 && state() == TcpState::kSynSent) {
    seq = end = sender.end;  // a RST answering a SYN
  }

  // I. seq <= sender.maxend
  if (!Before(seq, sender.maxend + 1)) {
    const uint32_t overshot = end - sender.maxend + 1;
    const bool ack_ok = After(sack, receiver.end - MaxAckWindow(sender) - 1);
    const bool in_recv_win = receiver.maxwin != 0 && After(end, sender.end - receiver.maxwin - 1);
    if (in_recv_win && ack_ok && overshot <= receiver.maxwin && Before(sack, receiver.end + 1)) {
      // Only the upper sequence bound fails: the sender overran the window. Take its end
      // so the ACK of these bytes is not refused later.
      sender.end = end;
      flags_[si] |= kCtDataUnacknowledged;
      *detail = "more bytes than the receiver's window allows (tolerated, not tracked)";
      return Refuse(WindowResult::kIgnore, dir, cfg);
    }
    *detail = "SEQ is over the upper bound (beyond the window the receiver announced)";
    return Refuse(WindowResult::kInvalid, dir, cfg);
  }
  // III. sack <= receiver.end
  if (!Before(sack, receiver.end + 1)) {
    *detail = "ACK is over the upper bound (acknowledges data not seen yet)";
    return Refuse(WindowResult::kInvalid, dir, cfg);
  }
  // II. end >= sender.end - receiver.maxwin
  if (receiver.maxwin != 0 && !After(end, sender.end - receiver.maxwin - 1)) {
    *detail = "SEQ is under the lower bound (data already acknowledged, retransmitted)";
    return Refuse(WindowResult::kIgnore, dir, cfg);
  }
  // IV. sack >= receiver.end - MAXACKWINDOW
  if (!After(sack, receiver.end - MaxAckWindow(sender) - 1)) {
    *detail = "ACK is under the lower bound (possibly overly delayed)";
    return Refuse(WindowResult::kIgnore, dir, cfg);
  }

  // In window: update both sides.
  if (!syn) win <<= scale_[si];
  const uint32_t swin = win + (sack - ack);
  if (sender.maxwin < swin) sender.maxwin = swin;
  if (After(end, sender.end)) {
    sender.end = end;
    flags_[si] |= kCtDataUnacknowledged;
  }
  if (has_ack) {
    if (!(flags_[si] & kCtMaxAckSet)) {
      sender.maxack = ack;
      flags_[si] |= kCtMaxAckSet;
    } else if (After(ack, sender.maxack)) {
      sender.maxack = ack;
    }
  }
  if (receiver.maxwin != 0 && After(end, sender.maxend)) receiver.maxwin += end - sender.maxend;
  if (After(sack + win, receiver.maxend - 1)) {
    receiver.maxend = sack + win;
    if (win == 0) ++receiver.maxend;
  }
  if (ack == receiver.end) flags_[1 - si] &= ~kCtDataUnacknowledged;

  // Retransmissions: the same ACK-class segment again from the same side.
  if (c == TcpClass::kAck) {
    if (last_dir_ == si && last_seq_ == seq && last_ack_ == ack && last_end_ == end &&
        last_win_ == win_raw) {
      if (retrans_ < UINT8_MAX) ++retrans_;
    } else {
      last_dir_ = static_cast<uint8_t>(si);
      last_seq_ = seq;
      last_ack_ = ack;
      last_end_ = end;
      last_win_ = win_raw;
      retrans_ = 0;
    }
  }
  return WindowResult::kAccept;
}

// nf_tcp_handle_invalid: an out-of-window FIN or RST answering a FIN or RST from the other
// side shortens an assured connection's lifetime to the unacknowledged timeout, so a
// connection conntrack lost sync with does not linger for days.
bool TcpConn::HandleInvalid(CtDir dir, TcpClass c, const TcpTrackConfig& cfg, MonoNs remaining,
                            MonoNs* timeout) {
  if (!assured() || (c != TcpClass::kRst && c != TcpClass::kFin)) return false;
  const auto last = static_cast<TcpClass>(last_index_);
  if (last_dir_ != Idx(dir) && (last == TcpClass::kFin || last == TcpClass::kRst)) {
    if (remaining < kHandleInvalidFloor) return false;
    if (remaining > cfg.timeouts.unacknowledged) {
      *timeout = cfg.timeouts.unacknowledged;
      return true;
    }
    return false;
  }
  last_index_ = static_cast<uint8_t>(c);
  last_dir_ = static_cast<uint8_t>(Idx(dir));
  return false;
}

// The sIG path of tcp_packet: let the segment pass unchanged, but remember it, so that an
// answer proving the endpoints in sync can resynchronise the entry.
TcpResult TcpConn::Ignored(const TcpSegment& seg, CtDir dir, TcpClass c, TcpState old_state) {
  last_index_ = static_cast<uint8_t>(c);
  last_dir_ = static_cast<uint8_t>(Idx(dir));
  last_seq_ = seg.seq;
  last_end_ = seg.end();
  last_win_ = seg.window;
  if (c == TcpClass::kSyn && dir == CtDir::kOriginal) {
    // Keep the SYN's options for the SYN-ACK that may follow; in LAST_ACK the answer may
    // be a challenge ACK (RFC 5961), which must not count as the last ACK.
    last_flags_ = 0;
    last_wscale_ = 0;
    if (seg.header_len > kTcpMinHeaderLen) {
      if (seg.has_window_scale) {
        last_flags_ |= kCtWindowScale;
        last_wscale_ = seg.window_scale;
      }
      if (seg.sack_permitted) last_flags_ |= kCtSackPerm;
    }
    if (old_state == TcpState::kLastAck) last_flags_ |= kCtExpChallengeAck;
  }
  if (old_state == TcpState::kSynSent && c == TcpClass::kAck && dir == CtDir::kReply)
    last_ack_ = seg.ack;  // perhaps a challenge ACK answering the SYN
  TcpResult r;
  r.action = TcpAction::kIgnore;
  r.detail = "ignored by the state table, remembered to resynchronise (tcp_packet, sIG)";
  return r;
}

// The in-window tail of tcp_packet: commit the state and pick the lifetime.
TcpResult TcpConn::Accepted(const TcpSegment& seg, CtDir dir, TcpClass c, TcpState old_state,
                            TcpState new_state, const TcpTrackConfig& cfg) {
  last_index_ = static_cast<uint8_t>(c);
  last_dir_ = static_cast<uint8_t>(Idx(dir));
  state_ = static_cast<uint8_t>(new_state);
  if (old_state != new_state && new_state == TcpState::kFinWait) flags_[Idx(dir)] |= kCtCloseInit;

  const TcpTimeouts& t = cfg.timeouts;
  MonoNs timeout;
  if (retrans_ >= cfg.max_retrans && t.of(new_state) > t.retrans) {
    timeout = t.retrans;
  } else if (c == TcpClass::kRst) {
    timeout = t.of(TcpState::kClose);
  } else if (((flags_[0] | flags_[1]) & kCtDataUnacknowledged) && t.of(new_state) > t.unacknowledged) {
    timeout = t.unacknowledged;
  } else if (last_win_ == 0 && t.of(new_state) > t.retrans) {
    timeout = t.retrans;
  } else {
    timeout = t.of(new_state);
  }

  TcpResult r;
  r.action = TcpAction::kAccept;
  r.refresh = true;
  r.timeout = timeout;
  if (!seen_reply()) {
    if (seg.has(kTcpRst)) {
      // The only answer was a RST: there never was a connection.
      r.action = TcpAction::kKill;
      r.refresh = false;
      r.detail = "RST before any reply: the entry is deleted (tcp_packet)";
      return r;
    }
    if (c == TcpClass::kSyn && old_state == TcpState::kSynSent) {
      r.refresh = false;  // a retransmitted SYN does not extend the entry's life
      return r;
    }
    // A picked-up connection nobody has answered yet does not get the long lifetime.
    if (new_state == TcpState::kEstablished && r.timeout > t.unacknowledged) r.timeout = t.unacknowledged;
  } else if (!assured() && (old_state == TcpState::kSynRecv || old_state == TcpState::kEstablished) &&
             new_state == TcpState::kEstablished) {
    status_ |= kAssured;
  }
  return r;
}

TcpResult TcpConn::Packet(const TcpSegment& seg, CtDir dir, const TcpTrackConfig& cfg,
                          MonoNs remaining) {
  TcpResult r = [&]() -> TcpResult {
    TcpState old_state = state();
    const TcpClass c = ClassOf(seg.flags);
    const TableCell cell = Transition(dir, c, old_state);
    const auto last = static_cast<TcpClass>(last_index_);
    const bool last_same_dir = last_dir_ == Idx(dir);
    TcpState new_state = cell.state;

    if (cell.kind == TableCell::kInvalid) {
      TcpResult inv;
      inv.action = TcpAction::kInvalid;
      inv.reason = Reason::kInvalidState;
      inv.detail = "the state table marks this segment invalid here (tcp_conntracks, sIV)";
      return inv;
    }
    bool skip_window = false;
    bool ignore = cell.kind == TableCell::kIgnore;
    if (cell.kind == TableCell::kState) {
      switch (new_state) {
        case TcpState::kSynSent:
          if (old_state < TcpState::kTimeWait) break;
          // A SYN in TIME_WAIT or CLOSE (RFC 1122 4.2.2.13): reopen when the old connection
          // was closed by FIN, or reset from the side now sending the SYN.
          if (((flags_[0] | flags_[1]) & kCtCloseInit) || (last_same_dir && last == TcpClass::kRst)) {
            TcpResult re;
            re.action = TcpAction::kReopen;
            re.detail = "SYN reopens a closed connection (tcp_packet, RFC 1122)";
            return re;
          }
          ignore = true;
          break;
        case TcpState::kTimeWait:
          if (old_state == TcpState::kLastAck && c == TcpClass::kAck && !last_same_dir &&
              last == TcpClass::kSyn && (last_flags_ & kCtExpChallengeAck)) {
            last_flags_ &= ~kCtExpChallengeAck;
            TcpResult ig;
            ig.action = TcpAction::kIgnore;
            ig.detail = "challenge ACK to a SYN in LAST_ACK, not the last ACK (RFC 5961)";
            return ig;
          }
          break;
        case TcpState::kSynSent2:
          last_flags_ |= kCtSimultaneousOpen;  // the table alone cannot follow a simultaneous open
          break;
        case TcpState::kSynRecv:
          if (dir == CtDir::kReply && c == TcpClass::kAck && (last_flags_ & kCtSimultaneousOpen))
            new_state = TcpState::kEstablished;
          break;
        case TcpState::kClose: {
          if (c != TcpClass::kRst) break;
          if (Closing(old_state)) {
            skip_window = true;  // closing anyway: the tuple may be reused, no window check
            break;
          }
          const int peer = 1 - Idx(dir);
          if ((flags_[peer] & kCtMaxAckSet) && last != TcpClass::kSyn) {
            if (seg.seq == 0 && !established()) goto rst_done;  // answer to a SYN let through
            if (Before(seg.seq, seen_[peer].maxack) && !cfg.ignore_invalid_rst) {
              TcpResult inv;
              inv.action = TcpAction::kInvalid;
              inv.reason = Reason::kOutOfWindow;
              inv.detail = "RST sequence below what the peer acknowledged (tcp_packet: invalid rst)";
              return inv;
            }
            if (!established() || seg.seq == seen_[peer].maxack) goto rst_done;
            // A RST right after this side's data (seq == its end) closes; any other keeps
            // the state, so a challenge ACK can follow.
            if (last == TcpClass::kAck && last_same_dir && seg.seq == last_end_) goto rst_done;
            new_state = old_state;
          }
          if (((seen_reply() && last == TcpClass::kSyn) || (!assured() && last == TcpClass::kAck)) &&
              seg.ack == last_end_) {
            skip_window = true;  // RST to a SYN or ACK we let through: delete, no window check
            break;
          }
          if (old_state == TcpState::kSynSent && last == TcpClass::kAck &&
              last_dir_ == Idx(CtDir::kReply) && seg.seq == last_ack_) {
            skip_window = true;  // RST answering a challenge ACK we let through
            break;
          }
        rst_done:
          break;
        }
        default:
          break;
      }
    }
    if (ignore) {
      // A SYN-ACK that answers a SYN we ignored: client and server are in sync and the
      // entry is not; take the remembered SYN as the start of a new handshake.
      if (c == TcpClass::kSynAck && last == TcpClass::kSyn && !last_same_dir && seg.ack == last_end_) {
        const int ls = last_dir_;
        old_state = TcpState::kSynSent;
        new_state = TcpState::kSynRecv;
        seen_[ls].end = seen_[ls].maxend = last_end_;
        seen_[ls].maxwin = last_win_ == 0 ? 1 : last_win_;
        scale_[ls] = last_wscale_;
        last_flags_ &= ~kCtExpChallengeAck;
        flags_[ls] = last_flags_;
        ResetSide(Idx(dir));
      } else {
        return Ignored(seg, dir, c, old_state);
      }
    }
    if (!skip_window) {
      std::string_view detail;
      switch (InWindow(seg, dir, c, cfg, &detail)) {
        case WindowResult::kIgnore: {
          TcpResult ig;
          ig.action = TcpAction::kIgnore;
          ig.detail = detail;
          return ig;
        }
        case WindowResult::kInvalid: {
          TcpResult inv;
          inv.action = TcpAction::kInvalid;
          inv.reason = Reason::kOutOfWindow;
          inv.detail = detail;
          inv.refresh = HandleInvalid(dir, c, cfg, remaining, &inv.timeout);
          return inv;
        }
        case WindowResult::kAccept:
          break;
      }
    }
    return Accepted(seg, dir, c, old_state, new_state, cfg);
  }();
  // The conntrack core marks SEEN_REPLY after a REPLY segment the tracker did not refuse.
  if (dir == CtDir::kReply && r.action != TcpAction::kInvalid && r.action != TcpAction::kReopen)
    status_ |= kSeenReply;
  return r;
}

}  // namespace pvland::psf
