// The daemon's control path with no sockets, for the control fuzz targets: a Dispatcher
// over a real Bridge and Dataplane whose ports are tests/unit/daemon's fakes (a netdev,
// a TAP and an internal port), as tests/unit/control's fixture builds it. `port add`
// would open a real interface, so it never reaches the dispatcher from here.
#pragma once

#include <sys/eventfd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <vector>

#include "ctl/cli/printer.h"
#include "ctl/proto/client.h"
#include "ctl/proto/message.h"
#include "daemon/bridge/bridge.h"
#include "daemon/control/dispatcher.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/log.h"
#include "daemon/core/unique_fd.h"
#include "daemon/dataplane/dataplane.h"
#include "tests/unit/daemon/fake_port.h"

namespace pvland::fuzz {

// A failed invariant: abort, which the fuzzer reports with the input.
inline void Check(bool ok) {
  if (!ok) std::abort();
}

class ControlHarness {
 public:
  ControlHarness() : dataplane_(loop_, bridge_, clock_), dispatcher_(ControlContext{bridge_, dataplane_, clock_}) {
    // The daemon's log lines are formatted, as in the daemon, and dropped.
    static const bool quiet = (SetLogSinkForTest([](LogLevel, std::string_view) {}), true);
    (void)quiet;
    for (auto [name, kind] : {std::pair{"p1", PortKind::kNetdev}, {"p2", PortKind::kTap}, {"gw", PortKind::kInternal}}) {
      // An eventfd stands for the port's socket, so the loop takes the port as it takes a real one.
      fds_.emplace_back(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
      auto port = std::make_unique<FakePort>(name, kind);
      port->fd_for_loop = fds_.back().get();
      dataplane_.AddPort(std::move(port), PortConfig{}).IgnoreError();
    }
  }

  // Whether the dispatcher may be handed `datagram`: false when it holds a request that
  // would create a real port. A datagram that does not parse is handed on (its error
  // reply is part of what is tested).
  static bool Harmless(const uint8_t* data, size_t len) {
    auto msgs = ctl::ParseMessages(data, len);
    if (!msgs.ok()) return true;
    for (const ctl::Message& m : *msgs)
      if (m.cmd == PVL_CMD_PORT_ADD) return false;
    return true;
  }

  // Hands one datagram to the dispatcher as the control server does. Every reply
  // datagram must fit the protocol's limit and parse, the records of each request must
  // end with its NLMSG_ERROR, and each reply must print (text and JSON) as pvlanctl would.
  void Handle(const uint8_t* data, size_t len) {
    if (!Harmless(data, len)) return;
    // A datagram with no message at all gets no answer; any other gets at least an ack.
    auto parsed = ctl::ParseMessages(data, len);
    const bool answered = !parsed.ok() || !parsed->empty();
    ctl::Reply reply;
    uint8_t cmd = 0;
    bool acked = false;
    dispatcher_.HandleDatagram(data, len, [&](const std::vector<uint8_t>& d) {
      Check(d.size() <= PVL_CTL_MSG_MAX);
      auto msgs = ctl::ParseMessages(d.data(), d.size());
      Check(msgs.ok());
      for (ctl::Message& m : *msgs) {
        if (m.type == NLMSG_ERROR) {
          reply.error = m.error;
          reply.error_msg = m.error_msg;
          acked = true;
          Print(cmd, reply);
          reply = {};
        } else {
          cmd = m.cmd;
          reply.records.push_back(std::move(m));
        }
      }
    });
    Check(acked == answered && reply.records.empty());
  }

  // Runs one request the grammar built, as `pvland -c` does.
  void RunLocal(const std::vector<uint8_t>& request) {
    if (Harmless(request.data(), request.size())) dispatcher_.RunLocal(request).IgnoreError();
  }

  // The printer over a reply, in every output format.
  static void Print(uint8_t cmd, const ctl::Reply& reply) {
    ctl::Command c;
    c.cmd = cmd;
    for (auto f : {ctl::OutputFormat::kText, ctl::OutputFormat::kJson}) {
      std::ostringstream out;
      ctl::PrintReply(c, reply, f, out);
    }
    ctl::ReplyError(reply);
  }

 private:
  std::vector<UniqueFd> fds_;  // outlive the dataplane's ports
  FakeClock clock_;
  EventLoop loop_;
  Bridge bridge_;
  Dataplane dataplane_;
  Dispatcher dispatcher_;
};

}  // namespace pvland::fuzz
