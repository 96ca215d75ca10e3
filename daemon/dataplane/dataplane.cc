#include "daemon/dataplane/dataplane.h"

#include <sys/epoll.h>

#include "absl/strings/str_cat.h"
#include "daemon/core/log.h"
#include "daemon/dataplane/transmit.h"
#include "daemon/pipeline/arp_stage.h"
#include "daemon/pipeline/tx_queue.h"

namespace pvland {

Dataplane::Dataplane(EventLoop& loop, Bridge& bridge, const Clock& clock, Router* router, IngressGuard* guard)
    : loop_(loop),
      bridge_(bridge),
      clock_(clock),
      router_(router),
      pipeline_(bridge, router, router),
      mirror_sender_(clock) {
  env_.guard = guard;
  env_.clock = &clock_;
  if (router_ != nullptr) {
    env_.l3_device.opened = [this](const std::string& name, int ifindex) {
      return router_->OnInternalPortAdded(name, ifindex);
    };
    env_.l3_device.removed = [this](const std::string& name) { router_->OnInternalPortRemoved(name); };
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
      if (Port* io = PortAt(*idx)) io->set_name(link.name);
      std::copy(link.mac.begin(), link.mac.end(), port.mac.begin());
    });
  }
}

void Dataplane::SendFrame(uint16_t idx, const Packet& p) {
  SwitchPort* port = bridge_.port(idx);
  if (port == nullptr || port->state != PortState::kUp) return;
  // Called from the proxy timer, between batches, when tx_ is empty.
  *tx_.Push(idx) = EgressItem(port->cfg, p);
  hooks_.rx_port = kNoPort;  // a frame pvland made
  Transmit();
}

void Dataplane::Transmit() {
  if (hooks_.active == 0) [[likely]] {
    TransmitLists(bridge_, tx_, [this](uint16_t i) { return PortAt(i); });
  } else {
    SendObserved();
  }
}

void Dataplane::SendObserved() {
  SendLists(bridge_, tx_, [this](uint16_t i) { return PortAt(i); });
  AfterSendObserved();
  tx_.Clear();
}

void Dataplane::SendMirrorCopies() {
  mirror_sender_.Send(bridge_.mirror(), pipeline_.mirror_copies());
  pipeline_.mirror_copies().clear();
}

void Dataplane::BeforeRunObserved(uint16_t idx) {
  if ((hooks_.active & ObserveHooks::kCapturing) && observer_->Captured(idx)) observer_->OnReceived(idx, batch_);
}

void Dataplane::AfterSendObserved() {
  if (hooks_.active & ObserveHooks::kCapturing)
    CaptureSent(bridge_, tx_, [this](uint16_t i) { return PortAt(i); }, *observer_);
  if (observer_->pending()) observer_->Flush();
}

std::optional<uint64_t> Dataplane::KernelDrops(uint16_t idx) {
  Port* port = PortAt(idx);
  if (port == nullptr || !port->is_open()) return std::nullopt;
  return port->KernelDrops();
}

absl::StatusOr<uint16_t> Dataplane::AddPort(const std::string& name, std::string_view type, const PortConfig& cfg,
                                             const PortParams& params) {
  if (bridge_.FindPort(name)) return absl::AlreadyExistsError(absl::StrCat("port '", name, "' exists"));
  auto port = MakePort(type, name, env_, params);
  if (!port.ok()) return port.status();
  return AddPort(std::move(*port), cfg);
}

absl::StatusOr<uint16_t> Dataplane::AddPort(std::unique_ptr<Port> port, const PortConfig& cfg) {
  if (bridge_.FindPort(port->name())) return absl::AlreadyExistsError(absl::StrCat("port '", port->name(), "' exists"));
  if (auto s = CheckConfigForKind(cfg, port->kind(), port->name()); !s.ok()) return s;
  if (auto s = port->Open(); !s.ok()) return s;
  auto sp = std::make_unique<SwitchPort>();
  sp->name = port->name();
  sp->type = port->type();
  sp->kind = port->kind();
  sp->cfg = cfg;
  sp->ifindex = port->ifindex();
  sp->mac = port->mac();
  auto idx = bridge_.AddPort(std::move(sp));
  if (!idx) return absl::ResourceExhaustedError("too many ports");
  if (ports_.size() <= *idx) ports_.resize(*idx + 1);
  ports_[*idx] = std::move(port);
  bridge_.ApplyPsf(*idx);
  Attach(*idx);
  return *idx;
}

void Dataplane::DeletePort(uint16_t idx) {
  if (bridge_.port(idx) == nullptr) return;
  if (Port* port = PortAt(idx); port != nullptr && port->is_open()) loop_.Remove(port->fd());
  if (idx < ports_.size()) ports_[idx].reset();  // gives an attached interface back to the kernel stack
  // A capture of the port ends with it (its index will be reused).
  if (observer_ != nullptr) observer_->PortRemoved(idx);
  bridge_.RemovePort(idx);
}

void Dataplane::Attach(uint16_t idx) {
  SwitchPort& sp = *bridge_.port(idx);
  Port& port = *ports_[idx];
  sp.state = port.LinkState();
  sp.ifindex = port.ifindex();
  sp.mac = port.mac();
  if (auto s = loop_.Add(port.fd(), EPOLLIN, [this, idx](uint32_t ev) { OnEvent(idx, ev); }); !s.ok()) {
    PVL_LOG(kError, "port %s: %s", sp.name, s.ToString());
  }
  RefreshEndpoint(idx);
}

void Dataplane::Detach(uint16_t idx, PortState new_state, const std::string& why) {
  SwitchPort& sp = *bridge_.port(idx);
  Port& port = *ports_[idx];
  if (port.is_open()) {
    loop_.Remove(port.fd());
    port.Close();
  }
  sp.state = new_state;
  // Learned addresses behind a vanished interface are stale: forget them, as the Linux
  // bridge does when a port leaves.
  bridge_.fdb().RemoveIf([idx](const FdbKey&, const FdbEntry& e) { return e.port == idx && !e.is_static; });
  PVL_LOG(kWarning, "port %s: %s; now %s, other ports keep forwarding", sp.name, why, PortStateName(new_state));
}

void Dataplane::OnEvent(uint16_t idx, uint32_t events) {
  Port* port = PortAt(idx);
  if (port == nullptr || !port->is_open()) return;
  if (events & (EPOLLERR | EPOLLHUP)) {
    std::string why;
    const PortState s = port->StateAfterError(&why);
    if (s == PortState::kAbsent) {
      Detach(idx, s, why);
      return;
    }
    bridge_.port(idx)->state = s;
  }
  for (int i = 0; i < kBatchesPerWakeup; ++i) {
    if (PollOnce(idx) < kBatchSize) break;
  }
}

size_t Dataplane::PollOnce(uint16_t idx) {
  SwitchPort& sp = *bridge_.port(idx);
  Port& port = *ports_[idx];
  batch_.Clear();
  const size_t n = port.Receive(batch_);
  if (n == 0) return 0;
  sp.counters.rx_packets += n;
  for (const Packet& p : batch_) sp.counters.rx_bytes += p.wire_len;
  // A frame arriving proves the link is up even if the periodic check has not run yet.
  if (sp.state == PortState::kDown) sp.state = PortState::kUp;
  // Observation costs two tests per batch when nobody watches; never one per frame.
  hooks_.rx_port = idx;
  if (hooks_.active != 0) [[unlikely]] BeforeRunObserved(idx);
  pipeline_.Run(idx, batch_, clock_.Now(), tx_);
  Transmit();
  // Mirror copies leave after the batch's own frames, from memory the batch still holds.
  if (!pipeline_.mirror_copies().empty()) [[unlikely]] SendMirrorCopies();
  // Only the control path deletes ports, never during a run, so `port` is still valid.
  port.ReleaseRx();
  return n;
}

void Dataplane::ResolveEndpoint(uint16_t idx) {
  Port* port = PortAt(idx);
  SwitchPort* sp = bridge_.port(idx);
  if (port == nullptr || sp == nullptr) return;
  std::optional<EndpointReading> reading;
  if (std::optional<EndpointLink> link = port->ReadEndpoint())
    reading = EndpointReading{link->mac, link->promiscuous, std::move(link->where)};
  for (const std::string& line : ResolvePortSecurity(sp->name, sp->cfg.security, reading, sp->security))
    PVL_LOG(kInfo, "port %s", line);
}

void Dataplane::RefreshEndpoint(uint16_t idx) {
  ResolveEndpoint(idx);
  bridge_.RefreshSecurityIndex();
}

void Dataplane::RefreshEndpoints() {
  for (size_t i = 0; i < ports_.size(); ++i) ResolveEndpoint(static_cast<uint16_t>(i));
  bridge_.RefreshSecurityIndex();
}

void Dataplane::CheckPorts() {
  for (size_t i = 0; i < ports_.size(); ++i) {
    const uint16_t idx = static_cast<uint16_t>(i);
    Port* port = PortAt(idx);
    SwitchPort* sp = bridge_.port(idx);
    if (port == nullptr || sp == nullptr) continue;
    if (!port->is_open()) {
      if (!port->CanReopen()) continue;
      if (auto s = port->Open(); !s.ok()) {
        PVL_LOG(kWarning, "port %s: cannot reattach: %s", sp->name, s.ToString());
        continue;
      }
      Attach(idx);
      PVL_LOG(kInfo, "port %s: interface is back, %s", sp->name, PortStateName(sp->state));
      continue;
    }
    const PortState s = port->LinkState();
    if (s == PortState::kAbsent) {
      Detach(idx, PortState::kAbsent, "interface went away");
    } else {
      sp->state = s;
    }
  }
  const MonoNs now = clock_.Now();
  for (size_t i = 0; i < bridge_.port_slots(); ++i)
    if (SwitchPort* sp = bridge_.port(static_cast<uint16_t>(i)); sp != nullptr && sp->psf) sp->psf->Sweep(now);
  // Link notifications from guest namespaces drive this too; the periodic read catches
  // what a lost notification would hide.
  RefreshEndpoints();
}

}  // namespace pvland
