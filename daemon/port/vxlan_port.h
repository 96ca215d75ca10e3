// A VXLAN tunnel port (RFC 7348): the switch's frames travel inside UDP datagrams to remote
// endpoints (a Linux vxlan device, Open vSwitch, another pvland), and frames from them
// arrive the same way. It forwards like any port; only its I/O differs.
//
// Receive: one UDP socket bound to local:dstport in pvland's namespace (the kernel routes
// and reassembles the outer packets); a datagram's VXLAN header must carry the I flag and
// the port's VNI, and the Packet points at the inner frame after it. Every inner source
// MAC teaches the port's remote table (vxlan_remotes.h) which outer source it came from,
// whether or not that source is a configured remote, as a Linux vxlan device learns. A
// partial checksum or a TCP super-frame the sender's kernel left to a veth arrives with
// no offload state; the port finds it in the bytes and gives it back
// (daemon/packet/lost_offload.h), sizing super-frames by the MSS the destination host
// announced in the SYNs that left through the port (host_mss.h).
//
// Send: each frame as it leaves on the wire (tag included, partial checksums completed,
// super-frames segmented: daemon/packet/wire_frames.h), behind a UDP and a VXLAN header,
// to the remote its destination MAC was learned from, or to every configured remote when
// it is flooded or unknown. The UDP source port is a hash of the inner flow
// (VxlanSourcePort), which a UDP socket cannot choose per datagram, so datagrams leave
// through a raw IPPROTO_UDP socket that writes its own UDP header (checksum zero, as RFC
// 7348 recommends for IPv4) and lets the kernel add the IP header, route and fragment
// (IP_PMTUDISC_DONT: DF clear, as a kernel vxlan device's default `df unset`).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "daemon/core/clock.h"
#include "daemon/core/unique_fd.h"
#include "daemon/packet/vxlan.h"
#include "daemon/packet/wire_frames.h"
#include "daemon/port/host_mss.h"
#include "daemon/port/port.h"
#include "daemon/port/tunnel.h"
#include "daemon/port/vxlan_remotes.h"

namespace pvland {

// What `port add NAME type vxlan` configures.
struct VxlanConfig {
  static constexpr size_t kMaxRemotes = 64;  // each flooded frame is sent once per remote

  uint32_t vni = 0;
  std::vector<uint32_t> remotes;  // IPv4, host order, at least one
  uint32_t local = 0;             // 0: any address (INADDR_ANY)
  uint16_t dstport = kVxlanPort;
};

// InvalidArgument naming the first thing wrong: a VNI above 24 bits, no remote or more
// than kMaxRemotes, a remote that is not a unicast address or is given twice, a local
// address that is multicast or broadcast, dstport 0.
absl::Status CheckVxlanConfig(const VxlanConfig& cfg);

// Do two ports' sockets want the same local address and UDP port? (0.0.0.0 overlaps every
// address.)
bool VxlanBindingsOverlap(const VxlanConfig& a, const VxlanConfig& b);

// Why a received datagram (from the VXLAN header on) is not an inner frame of `vni`:
// vxlan_malformed (shorter than the header and an Ethernet header, I flag clear, G flag
// set) or vxlan_wrong_vni; nullopt when it is one.
std::optional<DropReason> CheckVxlanDatagram(const uint8_t* data, size_t len, uint32_t vni);

// The UDP header (checksum zero) and the VXLAN header before an inner frame of
// `frame_len` bytes: the kVxlanUdpHeadroom bytes at `out`.
inline constexpr size_t kUdpHeaderLen = 8;
inline constexpr size_t kVxlanUdpHeadroom = kUdpHeaderLen + kVxlanHeaderLen;
void WriteVxlanUdpHeaders(uint8_t* out, uint16_t src_port, uint16_t dst_port, uint32_t vni, size_t frame_len);

class VxlanPort final : public Port, public Tunnel {
 public:
  // A datagram's largest payload over IPv4 (65535 - 20 - 8); a receive slot holds one.
  static constexpr size_t kMaxDatagram = 65507;
  // Socket buffers: the receive side holds a TCP window's worth of datagrams (as an
  // AF_PACKET port's 8 MiB ring does), the send side a batch of segmented super-frames.
  static constexpr int kRcvBuf = 8 << 20;
  static constexpr int kSndBuf = 4 << 20;

  // `cfg` must have passed CheckVxlanConfig. `clock` ages the remote table.
  VxlanPort(std::string name, VxlanConfig cfg, const Clock& clock);
  ~VxlanPort() override;

  std::string_view type() const override { return "vxlan"; }
  // Forwards like a port on an interface.
  PortKind kind() const override { return PortKind::kNetdev; }
  absl::Status Open() override;
  void Close() override;
  bool is_open() const override { return rx_fd_.valid(); }
  // A tunnel has no link of its own: up while its sockets are open.
  PortState LinkState() const override { return is_open() ? PortState::kUp : PortState::kAbsent; }
  bool CanReopen() const override { return !is_open(); }
  // A pending socket error (an ICMP error the kernel queued) is read and cleared; the
  // tunnel goes on.
  PortState StateAfterError(std::string* why) const override;
  int ifindex() const override { return 0; }
  MacAddr mac() const override { return MacAddr{}; }

  int fd() const override { return rx_fd_.get(); }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override {}
  SendResult Send(absl::Span<TxItem> items) override;
  // Datagrams the kernel dropped at the receive socket (buffer full), since it opened.
  uint64_t KernelDrops() override;
  const Tunnel* tunnel() const override { return this; }

  // Tunnel
  TunnelInfo Info() const override;
  std::optional<uint32_t> RemoteOf(const MacAddr& mac) const override;

  const VxlanConfig& config() const { return cfg_; }

 private:
  // Where one item's datagrams go: the remote its destination was learned behind, or
  // every configured remote.
  struct ItemPlan {
    size_t first_frame, end_frame;
    int remote;  // index into remotes_, kLearnedRemote, or kAllRemotes
    uint16_t src_port;
  };
  static constexpr int kAllRemotes = -1;
  static constexpr int kLearnedRemote = -2;
  struct Remote {
    sockaddr_in sa;
    TunnelRemote stats;
  };

  int RemoteIndex(uint32_t addr) const;
  void PlanItem(TxItem& item, size_t item_index, MonoNs now);
  // Sends what is planned and clears it; item errors and counters are set on the way.
  void Flush(absl::Span<TxItem> items);

  VxlanConfig cfg_;
  const Clock& clock_;
  UniqueFd rx_fd_;  // UDP, bound to local:dstport
  UniqueFd tx_fd_;  // raw IPPROTO_UDP, receives nothing
  std::vector<Remote> remotes_;
  VxlanRemoteTable table_;
  HostMssTable mss_;  // what this side's hosts take, for super-frames from the tunnel

  // Receive: kBatchSize slots of kSlotBytes, allocated on first open and left untouched
  // until used, so a port carrying small frames costs a page per slot.
  static constexpr size_t kRxAlign = 2;  // puts the inner IP header on a 4-byte boundary
  static constexpr size_t kSlotBytes = 65536 + 64;
  std::unique_ptr<uint8_t[]> rx_buf_;
  std::array<mmsghdr, kBatchSize> rx_msgs_{};
  std::array<iovec, kBatchSize> rx_iov_{};
  std::array<sockaddr_in, kBatchSize> rx_from_{};
  int last_rx_remote_ = -1;  // index of the remote the last datagram came from (a cache)

  // Send: the wire frames of the items planned so far, with room for the headers before
  // each, and sendmmsg's arguments.
  std::vector<uint8_t> tx_bytes_;
  WireFrames wire_{kVxlanUdpHeadroom};
  size_t wire_bytes_ = 0;
  std::vector<ItemPlan> plans_;
  std::vector<size_t> plan_items_;         // the item each plan belongs to
  std::vector<sockaddr_in> learned_dst_;   // per plan, for kLearnedRemote
  std::vector<mmsghdr> tx_msgs_;
  std::vector<iovec> tx_iov_;
  std::vector<std::pair<size_t, int>> tx_owner_;  // per datagram: plan, remote index
};

}  // namespace pvland
