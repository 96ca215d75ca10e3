// Segments and a two-endpoint fixture for the protocol state filtering tests: a client
// (10.0.0.1:40000) behind the port and a server (10.0.0.2:80) beyond it.
#pragma once

#include <cstdint>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/psf/flow_table.h"
#include "daemon/psf/tcp_segment.h"
#include "daemon/psf/track.h"
#include "gtest/gtest.h"

namespace pvland::psf::testing {

struct Peer {
  uint32_t addr;
  uint16_t port;
};
inline constexpr Peer kClient{0x0a000001, 40000};
inline constexpr Peer kServer{0x0a000002, 80};

struct Opts {
  int wscale = -1;  // -1: no window scale option
  bool sack_perm = false;
  std::vector<SackBlock> sack;
};

inline TcpSegment Seg(const Peer& from, const Peer& to, uint8_t flags, uint32_t seq, uint32_t ack,
                      uint32_t len = 0, uint16_t win = 65535, const Opts& o = {}) {
  TcpSegment s;
  s.vid = 1;
  s.src = Ipv4Mapped(from.addr);
  s.dst = Ipv4Mapped(to.addr);
  s.sport = from.port;
  s.dport = to.port;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.window = win;
  s.payload_len = len;
  s.header_len = kTcpMinHeaderLen;
  if (o.wscale >= 0) {
    s.has_window_scale = true;
    s.window_scale = static_cast<uint8_t>(o.wscale > 14 ? 14 : o.wscale);
    s.header_len += 4;
  }
  if (o.sack_perm) {
    s.sack_permitted = true;
    s.header_len += 4;
  }
  if (!o.sack.empty()) {
    s.sack_count = static_cast<uint8_t>(o.sack.size());
    for (size_t i = 0; i < o.sack.size(); ++i) s.sack[i] = o.sack[i];
    s.header_len += static_cast<uint8_t>(4 + 8 * o.sack.size());
  }
  return s;
}

inline constexpr uint8_t kSyn = kTcpSyn;
inline constexpr uint8_t kSynAck = kTcpSyn | kTcpAck;
inline constexpr uint8_t kAck = kTcpAck;
inline constexpr uint8_t kFinAck = kTcpFin | kTcpAck;
inline constexpr uint8_t kRst = kTcpRst;
inline constexpr uint8_t kRstAck = kTcpRst | kTcpAck;
inline constexpr uint8_t kPshAck = kTcpPsh | kTcpAck;

// A port's table and the two endpoints' sequence numbers. C() sends client -> server
// (from the port), S() server -> client (to the port).
class PsfFixture : public ::testing::Test {
 protected:
  static constexpr uint32_t kCisn = 1000;
  static constexpr uint32_t kSisn = 5000;

  Verdict C(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len = 0, uint16_t win = 65535,
            const Opts& o = {}) {
    return Track(table, Seg(kClient, kServer, flags, seq, ack, len, win, o), PortDir::kFromPort,
                 clock.Now());
  }
  Verdict S(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len = 0, uint16_t win = 65535,
            const Opts& o = {}) {
    return Track(table, Seg(kServer, kClient, flags, seq, ack, len, win, o), PortDir::kToPort,
                 clock.Now());
  }
  // SYN, SYN-ACK, ACK: ESTABLISHED with client seq kCisn+1 and server seq kSisn+1.
  void Handshake(const Opts& copts = {}, const Opts& sopts = {}) {
    ASSERT_TRUE(C(kSyn, kCisn, 0, 0, 65535, copts).pass);
    ASSERT_TRUE(S(kSynAck, kSisn, kCisn + 1, 0, 65535, sopts).pass);
    ASSERT_TRUE(C(kAck, kCisn + 1, kSisn + 1).pass);
    ASSERT_EQ(State(), TcpState::kEstablished);
  }
  const FlowEntry* Entry() {
    bool src_is_a;
    return table.Find(FlowKey::Of(Seg(kClient, kServer, 0, 0, 0), &src_is_a), clock.Now());
  }
  TcpState State() {
    const FlowEntry* e = Entry();
    return e == nullptr ? TcpState::kNone : e->conn.state();
  }
  // Lifetime left, in seconds.
  int64_t Remaining() {
    const FlowEntry* e = Entry();
    return e == nullptr ? -1 : (e->expires - clock.Now()) / kNsPerSec;
  }

  FakeClock clock;
  FlowTable table;
};

}  // namespace pvland::psf::testing
