#include "daemon/bridge/bridge.h"

namespace pvland {

std::optional<uint16_t> Bridge::FindPort(std::string_view name) const {
  for (size_t i = 0; i < ports_.size(); ++i)
    if (ports_[i] && ports_[i]->name == name) return static_cast<uint16_t>(i);
  return std::nullopt;
}

std::optional<uint16_t> Bridge::L3PortOf(uint16_t domain) const {
  for (size_t i = 0; i < ports_.size(); ++i) {
    const SwitchPort* p = ports_[i].get();
    if (p && p->kind == PortKind::kInternal && p->state != PortState::kAbsent && p->cfg.mode == PortMode::kAccess &&
        vlans_.Domain(p->cfg.vlan) == domain)
      return static_cast<uint16_t>(i);
  }
  return std::nullopt;
}

std::optional<uint16_t> Bridge::AddPort(std::unique_ptr<SwitchPort> p) {
  for (size_t i = 0; i < ports_.size(); ++i) {
    if (!ports_[i]) {
      ports_[i] = std::move(p);
      return static_cast<uint16_t>(i);
    }
  }
  if (ports_.size() >= kMaxPorts) return std::nullopt;
  ports_.push_back(std::move(p));
  return static_cast<uint16_t>(ports_.size() - 1);
}

void Bridge::RemovePort(uint16_t idx) {
  if (idx >= ports_.size() || !ports_[idx]) return;
  fdb_.RemoveIf([idx](const FdbKey&, const FdbEntry& e) { return e.port == idx; });
  // The control path refuses to delete a mirror source; this keeps a session from ever
  // mirroring the next port to take the index.
  mirror_.RemoveSessionsOf(idx);
  ports_[idx].reset();
  while (!ports_.empty() && !ports_.back()) ports_.pop_back();
  RefreshSecurityIndex();
}

void Bridge::RefreshSecurityIndex() {
  promiscuous_ports_.clear();
  mac_owner_.clear();
  for (size_t i = 0; i < ports_.size(); ++i) {
    const SwitchPort* p = ports_[i].get();
    if (p == nullptr) continue;
    if (p->security.promisc_copies) promiscuous_ports_.push_back(static_cast<uint16_t>(i));
    if (p->security.known) mac_owner_.emplace(p->security.effective, static_cast<uint16_t>(i));
  }
}

void Bridge::ApplyPsf(uint16_t idx) {
  SwitchPort* p = port(idx);
  if (p == nullptr) return;
  const PsfConfig& cfg = p->cfg.psf;
  if (!cfg.Enabled()) {
    p->psf.reset();
    return;
  }
  if (!p->psf) p->psf = std::make_unique<psf::FlowTable>(cfg.max_entries, &psf_budget_);
  p->psf->set_max_entries(cfg.max_entries);
  p->psf->config().loose = cfg.liberal;
}

size_t Bridge::AgeFdb(MonoNs now) {
  return fdb_.Age(now, [this](uint16_t port) {
    const SwitchPort* p = this->port(port);
    if (p != nullptr && p->cfg.security.mac_learning)
      return static_cast<MonoNs>(p->cfg.security.mac_aging_s) * kNsPerSec;
    return ageing_;
  });
}

}  // namespace pvland
