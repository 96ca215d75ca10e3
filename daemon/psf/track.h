// The entry point a pipeline stage calls for each TCP segment on a port with protocol
// state filtering on: look the connection up in the port's table, run conntrack's TCP
// tracking on it, and say whether the segment may pass.
#pragma once

#include <string_view>

#include "daemon/core/clock.h"
#include "daemon/psf/flow_table.h"
#include "daemon/psf/tcp_conntrack.h"
#include "daemon/psf/tcp_segment.h"
#include "daemon/psf/verdict.h"

namespace pvland {
struct Packet;
}

namespace pvland::psf {

struct Verdict {
  bool pass = true;
  Reason reason = Reason::kNone;  // kNone when pass
  // The conntrack rule behind a drop, or behind a pass that changed nothing (ignored
  // segments, tolerated window misses); empty for a plain in-window pass.
  std::string_view detail;
  // The connection's state after the segment; kNone when there is no entry (never
  // created, deleted by a RST before any reply).
  TcpState state = TcpState::kNone;
};

// Tracks `seg`, which crossed the port of `table` in direction `dir`, at `now`. A SYN
// with no entry opens one (ORIGINAL is the SYN's way, and `dir` is kept for show); with
// config().loose a bare ACK picks one up.
Verdict Track(FlowTable& table, const TcpSegment& seg, PortDir dir, MonoNs now);

// ReadTcpSegment then Track. A frame with no TCP header to read (not TCP, a fragment)
// passes untouched; a malformed TCP header is dropped (psf_malformed).
Verdict TrackPacket(FlowTable& table, const Packet& p, PortDir dir, MonoNs now);

}  // namespace pvland::psf
