// A Dispatcher over a Bridge whose ports have no I/O: requests are built by the pvlanctl
// grammar (or by hand, for what the grammar would refuse to send) and run as
// `pvland -c` runs them, and the tests read the Bridge afterwards. No sockets.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ctl/cli/grammar.h"
#include "ctl/proto/message.h"
#include "daemon/bridge/bridge.h"
#include "daemon/control/dispatcher.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/dataplane/dataplane.h"
#include "tests/unit/daemon/fake_port.h"

namespace pvland::testing {

class ControlFixture : public ::testing::Test {
 protected:
  ControlFixture() : dataplane_(loop_, bridge_, clock_), dispatcher_(ControlContext{bridge_, dataplane_, clock_}) {}

  // A port added through the dataplane, its I/O a fake: up, default config.
  uint16_t AddPort(const std::string& name, PortKind kind = PortKind::kNetdev) {
    auto idx = dataplane_.AddPort(std::make_unique<FakePort>(name, kind), PortConfig{});
    EXPECT_TRUE(idx.ok()) << idx.status();
    return *idx;
  }
  SwitchPort& Port(std::string_view name) { return *bridge_.port(*bridge_.FindPort(name)); }

  // Runs one pvlanctl command line; a line the grammar refuses fails the test.
  absl::Status Run(std::string_view line) {
    auto words = ctl::SplitLine(line);
    if (!words.ok()) return words.status();
    auto cmd = ctl::ParseCommand(*words, ++seq_);
    if (!cmd.ok()) {
      ADD_FAILURE() << "grammar refused '" << line << "': " << cmd.status();
      return cmd.status();
    }
    return dispatcher_.RunLocal(cmd->request);
  }
  // Runs a request built by hand: `fill` writes its attributes.
  template <typename Fill>
  absl::Status RunRaw(uint8_t cmd, Fill fill) {
    ctl::MessageBuilder b(PVL_MSG_CTL, NLM_F_REQUEST, ++seq_, cmd);
    fill(b);
    return dispatcher_.RunLocal(std::vector<uint8_t>(b.bytes().begin(), b.bytes().end()));
  }
  // The messages of every datagram the dispatcher sends for `request`.
  std::vector<ctl::Message> Exchange(const std::vector<uint8_t>& request) {
    std::vector<ctl::Message> out;
    dispatcher_.HandleDatagram(request.data(), request.size(), [&](const std::vector<uint8_t>& d) {
      auto msgs = ctl::ParseMessages(d.data(), d.size());
      ASSERT_TRUE(msgs.ok()) << msgs.status();
      out.insert(out.end(), msgs->begin(), msgs->end());
    });
    return out;
  }
  std::vector<uint8_t> Request(std::string_view line) {
    auto cmd = ctl::ParseCommand(*ctl::SplitLine(line), ++seq_);
    EXPECT_TRUE(cmd.ok()) << cmd.status();
    return cmd.ok() ? cmd->request : std::vector<uint8_t>{};
  }

  FakeClock clock_;
  EventLoop loop_;
  Bridge bridge_;
  Dataplane dataplane_;
  Dispatcher dispatcher_;
  uint32_t seq_ = 0;
};

}  // namespace pvland::testing
