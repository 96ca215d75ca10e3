#include "tests/unit/daemon/fake_switch_ports.h"

#include "daemon/dataplane/transmit.h"

namespace pvland {

uint16_t FakeSwitchPorts::Add(const std::string& name, const PortConfig& cfg, PortKind kind) {
  auto p = std::make_unique<SwitchPort>();
  p->name = name;
  p->kind = kind;
  p->cfg = cfg;
  p->state = PortState::kUp;
  const uint16_t idx = *bridge_.AddPort(std::move(p));
  auto io = std::make_unique<FakePort>(name, kind);
  io->Open().IgnoreError();
  fakes[name] = io.get();
  if (ios_.size() <= idx) ios_.resize(idx + 1);
  ios_[idx] = std::move(io);
  index[name] = idx;
  return idx;
}

void FakeSwitchPorts::Run(Pipeline& pipeline, const std::string& port, PacketBatch& batch, MonoNs now,
                          const std::function<void()>& inspect) {
  TxLists out;
  pipeline.Run(index.at(port), batch, now, out);
  TransmitLists(bridge_, out, [this](uint16_t i) -> Port* { return i < ios_.size() ? ios_[i].get() : nullptr; });
  if (inspect) inspect();
  fakes.at(port)->ReleaseRx();
}

}  // namespace pvland
