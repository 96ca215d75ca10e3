// An in-memory port for pipeline and dataplane tests: frames queued by the test are
// "received", frames sent are recorded as the bytes that would go on the wire, and the
// link state and lifecycle are whatever the test sets.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "daemon/port/port.h"

namespace pvland {

class FakePort final : public Port {
 public:
  explicit FakePort(std::string name = "fake", PortKind kind = PortKind::kTap) : Port(std::move(name)), kind_(kind) {}

  std::string_view type() const override { return "fake"; }
  PortKind kind() const override { return kind_; }
  absl::Status Open() override {
    ++opens;
    if (!open_error.ok()) return open_error;
    open_ = true;
    return absl::OkStatus();
  }
  void Close() override { open_ = false; }
  bool is_open() const override { return open_; }
  PortState LinkState() const override { return link; }
  bool CanReopen() const override { return can_reopen; }
  PortState StateAfterError(std::string* why) const override {
    *why = "fake error";
    return PortState::kAbsent;
  }
  int ifindex() const override { return 0; }
  MacAddr mac() const override { return {}; }
  int fd() const override { return fd_for_loop; }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override { held_.clear(); }
  SendResult Send(absl::Span<TxItem> items) override;
  const Tunnel* tunnel() const override { return far_side; }

  void Inject(std::vector<uint8_t> frame, Offload offload = {}) {
    rx_.push_back(std::move(frame));
    rx_offloads_.push_back(offload);
  }
  std::vector<std::vector<uint8_t>> sent;  // the frames, without the virtio-net header
  std::vector<Offload> sent_offloads;      // the virtio-net header sent before each
  int fail_errno = 0;  // make every send fail with this errno
  PortState link = PortState::kUp;
  bool can_reopen = false;
  absl::Status open_error;  // Open() fails with this when not OK
  int opens = 0;
  int fd_for_loop = -1;  // what fd() reports (an eventfd when a test runs the loop)
  const Tunnel* far_side = nullptr;  // what tunnel() reports (a fake tunnel's, for control tests)

 private:
  std::deque<std::vector<uint8_t>> rx_;
  std::deque<Offload> rx_offloads_;
  std::deque<std::vector<uint8_t>> held_;  // stable storage while the batch is in flight
  PortKind kind_;
  bool open_ = false;
};

}  // namespace pvland
