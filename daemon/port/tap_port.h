// A TAP port: pvland creates the interface and holds its fd. The fd keeps working when the
// user moves the interface to another namespace, so the port moves with it. Frames carry a
// virtio-net header both ways (IFF_VNET_HDR), and the TAP offers the kernel checksum, TSO
// and USO offloads (TUNSETOFFLOAD), so the kernel hands over super-frames as they are.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/core/unique_fd.h"
#include "daemon/port/frame_arena.h"
#include "daemon/port/port_io.h"

namespace pvland {

class TapPort final : public PortIo {
 public:
  // Receive memory per batch: a batch of MTU-sized frames, or up to seven super-frames.
  static constexpr size_t kArenaBytes = 8 * FrameArena::kMaxRead;

  // Creates TAP `name` in the current namespace and sets it up.
  static absl::StatusOr<std::unique_ptr<TapPort>> Create(const std::string& name);

  int fd() const override { return fd_.get(); }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override { arena_.Reset(); }
  SendResult Send(absl::Span<TxItem> items) override;
  int ifindex() const { return ifindex_; }

 private:
  TapPort() = default;
  UniqueFd fd_;
  int ifindex_ = 0;
  FrameArena arena_{kArenaBytes};
};

}  // namespace pvland
