// A switch port's side of the world: how frames get in and out (an AF_PACKET socket on an
// existing interface, a TAP fd, ...) and the port's lifecycle (open, link state, re-attach
// after its interface returns). The dataplane drives every port through this interface
// alone, so a new kind of port (a tunnel endpoint, say) is one more implementation here
// and one more entry in port_factory.cc, with no special case anywhere else.
//
// Received frames stay in the port's own memory until ReleaseRx(), so the pipeline and
// the transmit side can point into them without copying.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "daemon/core/port_types.h"
#include "daemon/packet/batch.h"
#include "daemon/packet/offload.h"
#include "daemon/packet/tx_list.h"
#include "daemon/port/tunnel.h"
#include "include/pvland/types.h"

namespace pvland {

// Totals of one Send(); each unsent item has its own errno in TxItem::error.
struct SendResult {
  size_t sent = 0;
  uint64_t bytes = 0;
};

// The device the host behind a port sees as its NIC (a TAP moved into a guest namespace,
// a veth's peer), as the kernel has it now.
struct EndpointLink {
  MacAddr mac{};
  bool promiscuous = false;  // IFF_PROMISC asked with `ip link` or promiscuity > 0 (tcpdump, a bridge)
  std::string where;         // for `port show`: e.g. "tap1 in netns id 3" or "eth0 in netns id 1"
};

class Port {
 public:
  virtual ~Port() = default;

  // The port type as `port add ... type T` names it and `port show` prints it.
  virtual std::string_view type() const = 0;
  virtual PortKind kind() const = 0;
  const std::string& name() const { return name_; }
  // The interface was renamed (an internal port follows `ip link set ... name`).
  void set_name(std::string name) { name_ = std::move(name); }

  // Lifecycle. Open() (re)creates the I/O; on error nothing is open. Close() drops it and
  // keeps everything else, so a later Open() re-attaches.
  virtual absl::Status Open() = 0;
  virtual void Close() = 0;
  virtual bool is_open() const = 0;
  // The link as it is now, read from the system.
  virtual PortState LinkState() const = 0;
  // Is it worth calling Open() again on a closed port (its interface is back)?
  virtual bool CanReopen() const = 0;
  // The fd reported an error or hangup: kDown when the port stays usable and resumes by
  // itself (the link went down), kAbsent when it must be closed. `why` says what happened.
  virtual PortState StateAfterError(std::string* why) const = 0;
  // Kernel interface index and MAC in pvland's namespace when opened (0 / zero when none).
  virtual int ifindex() const = 0;
  virtual MacAddr mac() const = 0;

  // Frame I/O, valid while open.
  virtual int fd() const = 0;
  // Appends received frames to `batch` until it is full or nothing is pending.
  virtual size_t Receive(PacketBatch& batch) = 0;
  // Gives back the memory of every frame returned by Receive() since the last call.
  virtual void ReleaseRx() = 0;
  virtual SendResult Send(absl::Span<TxItem> items) = 0;
  // Frames lost by the kernel (ring full) since the port opened.
  virtual uint64_t KernelDrops() { return 0; }

  // The port's endpoint, read from the kernel now (a few netlink round trips: call it
  // when links changed, not per batch). nullopt: the port has none (internal ports, an
  // interface with no peer), or it cannot be read now (closed, in the middle of a move).
  virtual std::optional<EndpointLink> ReadEndpoint() const { return std::nullopt; }

  // A tunnel port (VXLAN) is not a local interface: what it says about the far side (its
  // VNI and remotes for `port show`, the remote behind a MAC for `fdb show`). Null for
  // every port on a local interface.
  virtual const Tunnel* tunnel() const { return nullptr; }

 protected:
  explicit Port(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// iovecs for one item: virtio-net header, MACs, optional new tag, optional preserved inner
// tag, rest. Returns how many of the (at most kMaxTxIovecs) iovecs were used.
inline constexpr int kMaxTxIovecs = 5;
inline int BuildIovecs(const TxItem& item, iovec* iov) {
  const Packet& p = *item.pkt;
  int n = 0;
  iov[n++] = {const_cast<Offload*>(&item.offload), sizeof(Offload)};
  iov[n++] = {p.frame, 12};
  if (item.tag) iov[n++] = {const_cast<uint8_t*>(item.tag_bytes), 4};
  if (p.has_inner_tag) iov[n++] = {const_cast<uint8_t*>(p.inner_tag), 4};
  iov[n++] = {p.frame + p.payload_off, p.len - p.payload_off};
  return n;
}

}  // namespace pvland
