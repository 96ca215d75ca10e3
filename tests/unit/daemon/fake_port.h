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

  void Inject(std::vector<uint8_t> frame, Offload offload = {}) {
    rx_.push_back(std::move(frame));
    rx_offloads_.push_back(offload);
  }
  std::vector<std::vector<uint8_t>> sent;  // the frames, without the virtio-net header
  std::vector<Offload> sent_offloads;      // the virtio-net header sent before each
  int fail_errno = 0;  // make every send fail with this errno

 private:
  std::deque<std::vector<uint8_t>> rx_;
  std::deque<Offload> rx_offloads_;
  std::deque<std::vector<uint8_t>> held_;  // stable storage while the batch is in flight
};

}  // namespace pvland
