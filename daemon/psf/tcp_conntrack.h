// Linux conntrack's TCP tracking of one connection (net/netfilter/nf_conntrack_proto_tcp.c,
// read at mainline v6.17-rc4), rewritten as a pure function of (state, segment, direction).
// docs/psf.md names the kernel function behind every rule and where pvland differs.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "daemon/core/clock.h"
#include "daemon/psf/tcp_segment.h"
#include "daemon/psf/verdict.h"

namespace pvland::psf {

// The kernel's enum tcp_conntrack, same order and values.
enum class TcpState : uint8_t {
  kNone,
  kSynSent,
  kSynRecv,
  kEstablished,
  kFinWait,
  kCloseWait,
  kLastAck,
  kTimeWait,
  kClose,
  kSynSent2,
};
inline constexpr int kTcpStateCount = 10;
std::string_view TcpStateName(TcpState s);  // "SYN_SENT", as conntrack prints it

// A segment's class for the state table (enum tcp_bit_set, get_conntrack_index):
// RST first, then SYN (SYN+ACK when ACK is set), then FIN, then ACK.
enum class TcpClass : uint8_t { kSyn, kSynAck, kFin, kAck, kRst, kNone };
inline constexpr int kTcpClassCount = 6;
TcpClass ClassOf(uint8_t flags);
std::string_view TcpClassName(TcpClass c);

// Direction relative to the connection: ORIGINAL is the way its first packet went.
enum class CtDir : uint8_t { kOriginal = 0, kReply = 1 };

// One cell of tcp_conntracks: a new state, or sIV (invalid) or sIG (ignore).
struct TableCell {
  enum Kind : uint8_t { kState, kInvalid, kIgnore };
  Kind kind = kInvalid;
  TcpState state = TcpState::kNone;  // when kind is kState
  bool operator==(const TableCell&) const = default;
};
TableCell Transition(CtDir dir, TcpClass c, TcpState old_state);

// tcp_error's flag check: with PSH, ECE and CWR masked out, only SYN, SYN+URG, SYN+ACK,
// RST, RST+ACK, FIN+ACK, FIN+ACK+URG, ACK and ACK+URG are valid.
bool ValidTcpFlags(uint8_t flags);

// Per-state lifetimes (nf_conntrack_tcp_timeout_* sysctls), plus the two that cap them:
// `retrans` after max_retrans retransmissions or a zero window, `unacknowledged` while
// data is outstanding and for a picked-up connection not yet answered.
struct TcpTimeouts {
  std::array<MonoNs, kTcpStateCount> state = {
      0,                         // NONE (never an entry's state)
      120 * kNsPerSec,           // SYN_SENT
      60 * kNsPerSec,            // SYN_RECV
      432000 * kNsPerSec,        // ESTABLISHED (5 days)
      120 * kNsPerSec,           // FIN_WAIT
      60 * kNsPerSec,            // CLOSE_WAIT
      30 * kNsPerSec,            // LAST_ACK
      120 * kNsPerSec,           // TIME_WAIT
      10 * kNsPerSec,            // CLOSE
      120 * kNsPerSec,           // SYN_SENT2
  };
  MonoNs retrans = 300 * kNsPerSec;
  MonoNs unacknowledged = 300 * kNsPerSec;

  MonoNs of(TcpState s) const { return state[static_cast<int>(s)]; }
};

struct TcpTrackConfig {
  // nf_conntrack_tcp_loose: a bare ACK with no entry picks the connection up as
  // ESTABLISHED with liberal window tracking. Off: only a SYN opens a connection.
  bool loose = false;
  // nf_conntrack_tcp_be_liberal: window failures pass; only the RST sequence check
  // (and the state table) can still refuse.
  bool be_liberal = false;
  // nf_conntrack_tcp_ignore_invalid_rst: a RST whose sequence is below the peer's
  // highest ACK passes instead of being refused.
  bool ignore_invalid_rst = false;
  // nf_conntrack_tcp_max_retrans.
  uint8_t max_retrans = 3;
  TcpTimeouts timeouts;
};

// struct ip_ct_tcp_state's flag bits (IP_CT_TCP_FLAG_*), kept per direction, and the
// two that only live in last_flags.
inline constexpr uint8_t kCtWindowScale = 0x01;
inline constexpr uint8_t kCtSackPerm = 0x02;
inline constexpr uint8_t kCtCloseInit = 0x04;
inline constexpr uint8_t kCtBeLiberal = 0x08;
inline constexpr uint8_t kCtDataUnacknowledged = 0x10;
inline constexpr uint8_t kCtMaxAckSet = 0x20;
inline constexpr uint8_t kCtExpChallengeAck = 0x40;
inline constexpr uint8_t kCtSimultaneousOpen = 0x80;

// What became of a segment.
enum class TcpAction : uint8_t {
  kAccept,   // in window: state updated, lifetime set to `timeout` when refresh is set
  kIgnore,   // passes; neither state nor lifetime change (sIG, or a tolerated window miss)
  kInvalid,  // refused (reason, detail); `timeout` may shorten the lifetime (refresh)
  kKill,     // passes, and the connection is over: delete the entry (RST before a reply)
  kReopen,   // a SYN reopens a closed connection: delete the entry and track anew
};

struct TcpResult {
  TcpAction action = TcpAction::kAccept;
  Reason reason = Reason::kNone;   // for kInvalid
  std::string_view detail;         // the kernel rule, paraphrased; may be set on a pass
  bool refresh = false;            // set the entry's lifetime to `timeout` from now
  MonoNs timeout = 0;
};

// One direction's window data (struct ip_ct_tcp_state without scale and flags, which sit
// in TcpConn's small arrays so the whole record packs into 56 bytes).
struct TcpSide {
  uint32_t end = 0;     // td_end: highest seq + len seen from this side
  uint32_t maxend = 0;  // td_maxend: highest ack + window this side's peer announced
  uint32_t maxwin = 0;  // td_maxwin: largest window (scaled, plus SACK span) seen
  uint32_t maxack = 0;  // td_maxack: highest ack this side sent
};

// struct ip_ct_tcp plus the two status bits of struct nf_conn that TCP tracking reads
// (IPS_SEEN_REPLY, IPS_ASSURED).
class TcpConn {
 public:
  // tcp_new: sets up a connection from its first segment (sent ORIGINAL). False when
  // that segment may not open one: only a SYN may, or with `loose` an ACK (pickup).
  // `*why` gets the rule when false.
  bool Open(const TcpSegment& seg, const TcpTrackConfig& cfg, std::string_view* why);

  // tcp_packet (with tcp_in_window and nf_tcp_handle_invalid) for a segment of an
  // existing connection, or of one Open just set up. `remaining` is the entry's lifetime
  // left, which nf_tcp_handle_invalid reads. Sets SEEN_REPLY as the conntrack core does
  // after a REPLY segment that was not refused.
  TcpResult Packet(const TcpSegment& seg, CtDir dir, const TcpTrackConfig& cfg, MonoNs remaining);

  TcpState state() const { return static_cast<TcpState>(state_); }
  bool seen_reply() const { return (status_ & kSeenReply) != 0; }
  bool assured() const { return (status_ & kAssured) != 0; }
  // nf_conntrack_tcp_established: ESTABLISHED and ASSURED.
  bool established() const { return state() == TcpState::kEstablished && assured(); }
  bool liberal(CtDir d) const { return (flags_[Idx(d)] & kCtBeLiberal) != 0; }
  const TcpSide& side(CtDir d) const { return seen_[Idx(d)]; }
  uint8_t scale(CtDir d) const { return scale_[Idx(d)]; }
  uint8_t flags(CtDir d) const { return flags_[Idx(d)]; }
  uint8_t retrans() const { return retrans_; }
  uint8_t last_flags() const { return last_flags_; }

 private:
  enum class WindowResult : uint8_t { kAccept, kIgnore, kInvalid };
  static constexpr uint8_t kSeenReply = 0x01;
  static constexpr uint8_t kAssured = 0x02;
  static int Idx(CtDir d) { return static_cast<int>(d); }

  WindowResult InWindow(const TcpSegment& seg, CtDir dir, TcpClass c, const TcpTrackConfig& cfg,
                        std::string_view* detail);
  WindowResult Refuse(WindowResult r, CtDir dir, const TcpTrackConfig& cfg) const;
  void InitSender(const TcpSegment& seg, CtDir dir);
  void ReadOptions(const TcpSegment& seg, int side);
  void ResetSide(int side);
  bool HandleInvalid(CtDir dir, TcpClass c, const TcpTrackConfig& cfg, MonoNs remaining,
                     MonoNs* timeout);
  TcpResult Accepted(const TcpSegment& seg, CtDir dir, TcpClass c, TcpState old_state,
                     TcpState new_state, const TcpTrackConfig& cfg);
  TcpResult Ignored(const TcpSegment& seg, CtDir dir, TcpClass c, TcpState old_state);

  TcpSide seen_[2];
  uint32_t last_seq_ = 0;
  uint32_t last_ack_ = 0;
  uint32_t last_end_ = 0;
  uint16_t last_win_ = 0;
  uint8_t scale_[2] = {0, 0};
  uint8_t flags_[2] = {0, 0};
  uint8_t state_ : 4 = 0;       // TcpState
  uint8_t last_index_ : 3 = 5;  // TcpClass of the last segment that changed state
  uint8_t last_dir_ : 1 = 0;    // its CtDir
  uint8_t retrans_ = 0;
  uint8_t last_wscale_ = 0;
  uint8_t last_flags_ = 0;
  uint8_t status_ = 0;
};
static_assert(sizeof(TcpConn) <= 56, "the flow table's 112-byte entry holds a TcpConn in 56");

}  // namespace pvland::psf
