// A TAP port: pvland creates the interface and holds its fd. The fd keeps working when the
// user moves the interface to another namespace, so the port moves with it. Frames carry a
// virtio-net header both ways (IFF_VNET_HDR), and the TAP offers the kernel checksum, TSO
// and USO offloads (TUNSETOFFLOAD), so the kernel hands over super-frames as they are.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "daemon/core/unique_fd.h"
#include "daemon/port/frame_arena.h"
#include "daemon/port/port.h"

namespace pvland {

// An internal port is the namespace's L3 device of its VLAN: whoever decides for that
// device (the ARP edge) learns when its TAP exists and when the port is gone.
struct L3DeviceHooks {
  std::function<absl::Status(const std::string& name, int ifindex)> opened;
  std::function<void(const std::string& name)> removed;
};

class TapPort final : public Port {
 public:
  // Receive memory per batch: a batch of MTU-sized frames, or up to seven super-frames.
  static constexpr size_t kArenaBytes = 8 * FrameArena::kMaxRead;

  // A TAP named `name` in the current namespace, created by Open(). `internal`: the TAP
  // stays in pvland's namespace as its L3 interface (type "internal"); otherwise the user
  // may move it to another namespace (type "tap").
  TapPort(std::string name, bool internal, L3DeviceHooks hooks = {});
  ~TapPort() override;

  std::string_view type() const override { return internal_ ? "internal" : "tap"; }
  PortKind kind() const override { return internal_ ? PortKind::kInternal : PortKind::kTap; }
  absl::Status Open() override;
  void Close() override;
  bool is_open() const override { return fd_.valid(); }
  PortState LinkState() const override;
  bool CanReopen() const override;
  PortState StateAfterError(std::string* why) const override;
  int ifindex() const override { return ifindex_; }
  MacAddr mac() const override { return mac_; }

  int fd() const override { return fd_.get(); }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override { arena_.Reset(); }
  SendResult Send(absl::Span<TxItem> items) override;
  // The TAP itself, wherever it was moved; internal ports have none.
  std::optional<EndpointLink> ReadEndpoint() const override;

 private:
  absl::Status CreateDevice();

  bool internal_;
  L3DeviceHooks hooks_;
  bool announced_ = false;  // hooks_.opened succeeded: removed() is owed
  UniqueFd fd_;
  int ifindex_ = 0;
  // The MAC the interface has, as last seen (at open, and by every LinkState() while
  // it exists): an internal TAP deleted from outside comes back with it, so the hosts'
  // ARP caches still point at the router.
  mutable MacAddr mac_{};
  FrameArena arena_{kArenaBytes};
};

}  // namespace pvland
