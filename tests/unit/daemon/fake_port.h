// An in-memory port for pipeline tests: frames queued by the test are "received", frames
// the pipeline sends are recorded as the bytes that would go on the wire.
#pragma once

#include <deque>
#include <vector>

#include "daemon/port/port_io.h"

namespace pvland {

class FakePort final : public PortIo {
 public:
  int fd() const override { return -1; }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override { held_.clear(); }
  SendResult Send(absl::Span<TxItem> items) override;

  void Inject(std::vector<uint8_t> frame) { rx_.push_back(std::move(frame)); }
  std::vector<std::vector<uint8_t>> sent;
  int fail_errno = 0;  // make every send fail with this errno

 private:
  std::deque<std::vector<uint8_t>> rx_;
  std::deque<std::vector<uint8_t>> held_;  // stable storage while the batch is in flight
};

}  // namespace pvland
