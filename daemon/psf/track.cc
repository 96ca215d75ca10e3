#include "daemon/psf/track.h"

#include "daemon/packet/packet.h"

namespace pvland::psf {
namespace {

Verdict Drop(Reason r, std::string_view detail, TcpState s) { return Verdict{false, r, detail, s}; }

// A segment with no entry: open one if it may (tcp_new), then track it as the first
// segment (tcp_packet from NONE, ORIGINAL); the entry stays only if the segment passes.
Verdict TrackNew(FlowTable& table, const FlowKey& key, bool src_is_a, const TcpSegment& seg,
                 PortDir dir, MonoNs now) {
  TcpConn conn;
  std::string_view why;
  if (!conn.Open(seg, table.config(), &why)) return Drop(Reason::kNoState, why, TcpState::kNone);
  const TcpResult r = conn.Packet(seg, CtDir::kOriginal, table.config(), 0);
  if (r.action == TcpAction::kInvalid) return Drop(r.reason, r.detail, TcpState::kNone);
  if (r.action != TcpAction::kAccept) return Verdict{true, Reason::kNone, r.detail, TcpState::kNone};
  FlowEntry* e = table.Insert(key, now);
  if (e == nullptr) {
    return Drop(Reason::kTableFull,
                "flow table at its limit and every entry is an established connection",
                TcpState::kNone);
  }
  e->origin = static_cast<uint8_t>((src_is_a ? FlowEntry::kOriginIsA : 0) |
                                   (dir == PortDir::kToPort ? FlowEntry::kOriginToPort : 0));
  e->conn = conn;
  e->expires = now + r.timeout;
  table.Update(e);
  return Verdict{true, Reason::kNone, r.detail, conn.state()};
}

}  // namespace

Verdict Track(FlowTable& table, const TcpSegment& seg, PortDir dir, MonoNs now) {
  if (!ValidTcpFlags(seg.flags))
    return Drop(Reason::kInvalidFlags, "invalid TCP flag combination (tcp_error)", TcpState::kNone);
  bool src_is_a = false;
  const FlowKey key = FlowKey::Of(seg, &src_is_a);
  FlowEntry* e = table.Find(key, now);
  if (e == nullptr) return TrackNew(table, key, src_is_a, seg, dir, now);

  const TcpResult r = e->conn.Packet(seg, e->DirOf(src_is_a), table.config(), e->expires - now);
  switch (r.action) {
    case TcpAction::kAccept:
      if (r.refresh) e->expires = now + r.timeout;
      table.Update(e);
      return Verdict{true, Reason::kNone, r.detail, e->conn.state()};
    case TcpAction::kIgnore:
      return Verdict{true, Reason::kNone, r.detail, e->conn.state()};
    case TcpAction::kInvalid:
      if (r.refresh) e->expires = now + r.timeout;
      return Drop(r.reason, r.detail, e->conn.state());
    case TcpAction::kKill:
      table.Erase(e);
      return Verdict{true, Reason::kNone, r.detail, TcpState::kNone};
    case TcpAction::kReopen:
      // The kernel deletes the entry and looks the packet up again, which opens a new
      // connection with this SYN's side as ORIGINAL.
      table.Erase(e);
      return TrackNew(table, key, src_is_a, seg, dir, now);
  }
  return Verdict{};
}

Verdict TrackPacket(FlowTable& table, const Packet& p, PortDir dir, MonoNs now) {
  TcpSegment seg;
  switch (ReadTcpSegment(p, seg)) {
    case SegmentStatus::kNotTcp:
      return Verdict{};
    case SegmentStatus::kMalformed:
      return Drop(Reason::kMalformed, "TCP header truncated or data offset below 5 (tcp_error)",
                  TcpState::kNone);
    case SegmentStatus::kOk:
      break;
  }
  return Track(table, seg, dir, now);
}

}  // namespace pvland::psf
