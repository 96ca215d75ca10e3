#include "daemon/dataplane/dataplane.h"

#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/core/log.h"
#include "daemon/port/af_packet_port.h"
#include "daemon/port/tap_port.h"
#include "daemon/pipeline/arp_stage.h"
#include "daemon/pipeline/tx_queue.h"

namespace pvland {
namespace {

// Flags and MAC of an interface in pvland's namespace; nullopt when there is none.
struct IfInfo {
  int ifindex;
  short flags;
  MacAddr mac;
};
std::optional<IfInfo> QueryInterface(const std::string& name) {
  UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  if (name.size() >= IFNAMSIZ) return std::nullopt;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (ioctl(sock.get(), SIOCGIFINDEX, &ifr) < 0) return std::nullopt;
  IfInfo info{ifr.ifr_ifindex, 0, {}};
  if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) return std::nullopt;
  info.flags = ifr.ifr_flags;
  if (ioctl(sock.get(), SIOCGIFHWADDR, &ifr) == 0) info.mac = ToMac(reinterpret_cast<uint8_t*>(ifr.ifr_hwaddr.sa_data));
  return info;
}

}  // namespace

Dataplane::Dataplane(EventLoop& loop, Bridge& bridge, const Clock& clock, Router* router, IngressGuard* guard)
    : loop_(loop), bridge_(bridge), clock_(clock), router_(router), guard_(guard), pipeline_(bridge, router) {
  if (router_ != nullptr) {
    // A verdict the proxy queue reached later counts on the internal port that took the
    // request; a reply goes out the port the request came in on.
    router_->set_delayed_verdict_sink([this](uint64_t cookie, const ipv4::ArpDecision& d) {
      const ArpCookie c = ArpCookie::Unpack(cookie);
      CountArpVerdict(bridge_, c.l3_port, d.reason);
      if (d.action != ipv4::ArpAction::kReply) return;
      uint8_t frame[GeneratedFrames::kMaxLen];
      SendFrame(c.in_port, MakeArpReplyPacket(d.reply, c.vid, bridge_.vlans().Domain(c.vid), frame));
    });
    // The port follows its interface: the name and MAC `ip link` gave it.
    router_->set_internal_link_changed([this](int ifindex, const std::string& old_name, const ipv4::Link& link) {
      auto idx = bridge_.FindPort(old_name);
      if (!idx) return;
      SwitchPort& port = *bridge_.port(*idx);
      if (port.ifindex != ifindex) return;
      if (port.name != link.name) PVL_LOG(kInfo, "port %s: interface renamed to %s", port.name, link.name);
      port.name = link.name;
      std::copy(link.mac.begin(), link.mac.end(), port.mac.begin());
    });
  }
}

void Dataplane::SendFrame(uint16_t idx, const Packet& p) {
  SwitchPort* port = bridge_.port(idx);
  if (port == nullptr || port->io == nullptr || port->state != PortState::kUp) return;
  TxItem item = EgressItem(port->cfg, p);
  const SendResult r = port->io->Send(absl::MakeSpan(&item, 1));
  port->counters.tx_packets += r.sent;
  port->counters.tx_bytes += r.bytes;
  if (item.error != 0) bridge_.CountDrop(idx, DropReason::kTxError, p);
}

absl::Status Dataplane::Open(SwitchPort& port) {
  if (port.kind == PortKind::kNetdev) {
    auto io = AfPacketPort::Open(port.name);
    if (!io.ok()) return io.status();
    port.ifindex = (*io)->ifindex();
    port.io = std::move(*io);
    if (guard_ != nullptr) {
      if (auto s = guard_->Claim(port.name); !s.ok()) {
        port.io.reset();
        return absl::Status(s.code(), absl::StrCat("cannot take ", port.name, " from the kernel stack: ", s.message()));
      }
    }
  } else {
    auto io = TapPort::Create(port.name);
    if (!io.ok()) return io.status();
    port.ifindex = (*io)->ifindex();
    port.io = std::move(*io);
  }
  if (auto info = QueryInterface(port.name)) port.mac = info->mac;
  if (port.kind == PortKind::kInternal && router_ != nullptr) return router_->OnInternalPortAdded(port.name, port.ifindex);
  return absl::OkStatus();
}

absl::StatusOr<uint16_t> Dataplane::AddPort(const std::string& name, PortKind kind, const PortConfig& cfg) {
  if (bridge_.FindPort(name)) return absl::AlreadyExistsError(absl::StrCat("port '", name, "' exists"));
  auto port = std::make_unique<SwitchPort>();
  port->name = name;
  port->kind = kind;
  port->cfg = cfg;
  if (auto s = Open(*port); !s.ok()) return s;
  auto idx = bridge_.AddPort(std::move(port));
  if (!idx) return absl::ResourceExhaustedError("too many ports");
  Attach(*idx);
  return *idx;
}

void Dataplane::DeletePort(uint16_t idx) {
  SwitchPort* port = bridge_.port(idx);
  if (port == nullptr) return;
  if (port->io) loop_.Remove(port->io->fd());
  if (port->kind == PortKind::kInternal && router_ != nullptr) router_->OnInternalPortRemoved(port->name);
  if (port->kind == PortKind::kNetdev && guard_ != nullptr) guard_->Release(port->name);
  bridge_.RemovePort(idx);
}

void Dataplane::Attach(uint16_t idx) {
  SwitchPort& port = *bridge_.port(idx);
  port.state = ReadLinkState(port);
  if (auto s = loop_.Add(port.io->fd(), EPOLLIN, [this, idx](uint32_t ev) { OnEvent(idx, ev); }); !s.ok()) {
    PVL_LOG(kError, "port %s: %s", port.name, s.ToString());
  }
}

void Dataplane::Detach(uint16_t idx, PortState new_state, const char* why) {
  SwitchPort& port = *bridge_.port(idx);
  if (port.io) {
    loop_.Remove(port.io->fd());
    port.io.reset();
  }
  port.state = new_state;
  // Learned addresses behind a vanished interface are stale: forget them, as the Linux
  // bridge does when a port leaves.
  bridge_.fdb().RemoveIf([idx](const FdbKey&, const FdbEntry& e) { return e.port == idx && !e.is_static; });
  PVL_LOG(kWarning, "port %s: %s; now %s, other ports keep forwarding", port.name, why, PortStateName(new_state));
}

PortState Dataplane::ReadLinkState(const SwitchPort& port) const {
  // A TAP moved to another namespace is invisible here; its fd is the only truth.
  auto info = QueryInterface(port.name);
  if (!info || info->ifindex != port.ifindex) return port.kind == PortKind::kTap ? PortState::kUp : PortState::kAbsent;
  return (info->flags & IFF_UP) ? PortState::kUp : PortState::kDown;
}

void Dataplane::OnEvent(uint16_t idx, uint32_t events) {
  SwitchPort* port = bridge_.port(idx);
  if (port == nullptr || port->io == nullptr) return;
  if (events & (EPOLLERR | EPOLLHUP)) {
    int err = 0;
    socklen_t len = sizeof err;
    if (port->kind == PortKind::kNetdev) getsockopt(port->io->fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == ENETDOWN) {
      port->state = PortState::kDown;  // the socket stays bound and resumes when the link is up
    } else {
      Detach(idx, PortState::kAbsent, err ? strerror(err) : "interface went away");
      return;
    }
  }
  for (int i = 0; i < kBatchesPerWakeup; ++i) {
    if (PollOnce(idx) < kBatchSize) break;
  }
}

size_t Dataplane::PollOnce(uint16_t idx) {
  SwitchPort& port = *bridge_.port(idx);
  batch_.Clear();
  const size_t n = port.io->Receive(batch_);
  if (n == 0) return 0;
  port.counters.rx_packets += n;
  for (const Packet& p : batch_) port.counters.rx_bytes += p.wire_len;
  // A frame arriving proves the link is up even if the periodic check has not run yet.
  if (port.state == PortState::kDown) port.state = PortState::kUp;
  pipeline_.Run(idx, batch_, clock_.Now());
  // Only the control path deletes ports, never during a run, so `port` is still valid.
  port.io->ReleaseRx();
  return n;
}

void Dataplane::CheckPorts() {
  for (size_t i = 0; i < bridge_.port_slots(); ++i) {
    const uint16_t idx = static_cast<uint16_t>(i);
    SwitchPort* port = bridge_.port(idx);
    if (port == nullptr) continue;
    if (port->io == nullptr) {
      if (port->kind == PortKind::kTap) continue;  // lives elsewhere; cannot be re-found
      auto info = QueryInterface(port->name);
      if (port->kind == PortKind::kNetdev && !info) continue;
      if (port->kind == PortKind::kInternal && info) continue;  // name taken by something else
      if (auto s = Open(*port); !s.ok()) {
        PVL_LOG(kWarning, "port %s: cannot reattach: %s", port->name, s.ToString());
        continue;
      }
      Attach(idx);
      PVL_LOG(kInfo, "port %s: interface is back, %s", port->name, PortStateName(port->state));
      continue;
    }
    const PortState s = ReadLinkState(*port);
    if (s == PortState::kAbsent) {
      Detach(idx, PortState::kAbsent, "interface went away");
    } else {
      port->state = s;
    }
  }
}

}  // namespace pvland
