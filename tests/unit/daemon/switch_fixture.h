// A switch over in-memory ports for pipeline tests: frames in by port name, who sent
// what out, and the drop counters.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/pipeline/pipeline.h"
#include "tests/unit/daemon/fake_switch_ports.h"

namespace pvland {

using Frame = std::vector<uint8_t>;

inline MacAddr HostMac(int n) { return {0x02, 0, 0, 0, 0, static_cast<uint8_t>(n)}; }

inline Frame MakeFrame(const MacAddr& dst, const MacAddr& src, int vid = 0) {
  Frame f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  if (vid) f.insert(f.end(), {0x81, 0x00, static_cast<uint8_t>(vid >> 8), static_cast<uint8_t>(vid)});
  f.insert(f.end(), {0x08, 0x00});
  f.resize(f.size() + 46, 0xab);
  return f;
}

class SwitchFixture : public ::testing::Test {
 protected:
  SwitchFixture() : pipeline_(bridge_) {}

  uint16_t AddPort(const std::string& name, PortConfig cfg, PortKind kind = PortKind::kTap) {
    return ports_.Add(name, cfg, kind);
  }
  uint16_t Access(const std::string& name, uint16_t vlan) {
    PortConfig cfg;
    cfg.vlan = vlan;
    return AddPort(name, cfg);
  }

  void Send(const std::string& port, Frame f, Offload offload = {}) {
    fakes_[port]->Inject(std::move(f), offload);
    Run(port);
  }
  // All frames in one batch, as a busy port delivers them.
  void SendBatch(const std::string& port, std::vector<Frame> frames) {
    for (Frame& f : frames) fakes_[port]->Inject(std::move(f));
    Run(port);
  }
  void Run(const std::string& port) {
    PacketBatch batch;
    fakes_[port]->Receive(batch);
    RunBatch(port, batch);
  }
  // The pipeline alone decides (no I/O); the fakes then send what it returned, as the
  // dataplane does.
  void RunBatch(const std::string& port, PacketBatch& batch) { ports_.Run(pipeline_, port, batch, clock_.Now()); }
  // Names of the ports that transmitted anything since the last call; clears them.
  std::set<std::string> Receivers() {
    std::set<std::string> out;
    for (auto& [name, fake] : fakes_) {
      if (!fake->sent.empty()) out.insert(name);
    }
    return out;
  }
  void ClearSent() {
    for (auto& [name, fake] : fakes_) fake->sent.clear();
  }
  uint64_t Drops(const std::string& port, DropReason r) {
    return bridge_.port(index_[port])->counters.drops[static_cast<int>(r)];
  }

  Bridge bridge_;
  Pipeline pipeline_;
  FakeClock clock_;
  FakeSwitchPorts ports_{bridge_};
  std::map<std::string, FakePort*>& fakes_ = ports_.fakes;
  std::map<std::string, uint16_t>& index_ = ports_.index;
};

}  // namespace pvland
