// Bridge ports backed by FakePorts, and a pipeline run the way the dataplane runs one:
// the pipeline decides, then the fakes send the lists it returned. Shared by the
// pipeline and stage tests.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/bridge/bridge.h"
#include "daemon/pipeline/pipeline.h"
#include "tests/unit/daemon/fake_port.h"

namespace pvland {

class FakeSwitchPorts {
 public:
  explicit FakeSwitchPorts(Bridge& bridge) : bridge_(bridge) {}

  // A port that is up, with configuration `cfg`; returns its index.
  uint16_t Add(const std::string& name, const PortConfig& cfg, PortKind kind);
  // Runs `batch`, received on `port`, through `pipeline` and sends the result; then
  // `inspect` may look at what the run produced (its mirror copies) while the batch's
  // memory is still held.
  void Run(Pipeline& pipeline, const std::string& port, PacketBatch& batch, MonoNs now,
           const std::function<void()>& inspect = nullptr);

  std::map<std::string, FakePort*> fakes;  // by port name
  std::map<std::string, uint16_t> index;   // bridge index by port name

 private:
  Bridge& bridge_;
  std::vector<std::unique_ptr<FakePort>> ios_;  // at the bridge's index
};

}  // namespace pvland
