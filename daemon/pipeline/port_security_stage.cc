#include "daemon/pipeline/port_security_stage.h"

#include <array>
#include <cstring>
#include <utility>

namespace pvland {
namespace {

SourceFacts FactsOf(const StageContext& ctx, const Packet& p, const PortSecurityState& st, uint32_t limit) {
  SourceFacts f;
  f.is_effective = st.known && std::memcmp(p.src(), st.effective.data(), 6) == 0;
  if (f.is_effective || !ctx.in.cfg.security.mac_learning) return f;
  const FdbEntry* e = ctx.bridge.fdb().Lookup(p.domain, p.src());
  f.learned_here = e != nullptr && e->port == ctx.in_port && !e->is_static;
  const std::optional<uint16_t> owner = ctx.bridge.EffectiveMacOwner(p.src());
  f.owned_elsewhere = (e != nullptr && e->is_static && e->port != ctx.in_port) ||
                      (owner.has_value() && *owner != ctx.in_port);
  f.at_limit = ctx.bridge.fdb().CountOf(ctx.in_port) >= limit;
  return f;
}

// New source MACs admitted earlier in this batch: the FDB stage learns them only after
// this stage has seen the whole batch, so they count toward the limit here already.
struct AdmittedNew {
  struct Entry {
    uint16_t domain;
    MacAddr mac;
  };
  Entry macs[kBatchSize];  // left uninitialised: only the first n are read
  size_t n = 0;
  bool Has(uint16_t domain, const uint8_t* mac) const {
    for (size_t i = 0; i < n; ++i)
      if (macs[i].domain == domain && std::memcmp(macs[i].mac.data(), mac, 6) == 0) return true;
    return false;
  }
};

// The decision on `p`'s source, counting the new MACs admitted before it in the batch.
Admission Decide(const StageContext& ctx, const Packet& p, const PortSecurityConfig& cfg,
                 const PortSecurityState& st, AdmittedNew& admitted) {
  SourceFacts f = FactsOf(ctx, p, st, cfg.mac_limit);
  if (cfg.mac_learning && !f.is_effective && !f.learned_here) {
    if (admitted.Has(p.domain, p.src())) {
      f.learned_here = true;
    } else if (!f.at_limit) {
      f.at_limit = ctx.bridge.fdb().CountOf(ctx.in_port) + admitted.n >= cfg.mac_limit;
    }
  }
  const Admission a = AdmitSource(cfg, st, f);
  if (a == Admission::kAdmit && cfg.mac_learning && !f.is_effective && !f.learned_here)
    admitted.macs[admitted.n++] = {p.domain, ToMac(p.src())};
  return a;
}

}  // namespace

void PortSecurityStage::Process(PacketBatch& batch, StageContext& ctx) {
  const PortSecurityConfig& cfg = ctx.in.cfg.security;
  if (!ChecksSource(cfg)) return;
  PortSecurityState& st = ctx.in.security;
  // Frames of a batch nearly always repeat the previous frame's source, and then the
  // previous decision stands (nothing it depends on changes within a batch, except the
  // learned count, which only the FDB stage after this one moves). Most batches refuse
  // nothing: a first pass looks for a refusal and leaves the batch alone if it finds none.
  {
    AdmittedNew admitted;
    bool refused = false;
    for (const Packet& p : batch) {
      if (p.same_header_as_prev) continue;
      if (Decide(ctx, p, cfg, st, admitted) != Admission::kAdmit) {
        refused = true;
        break;
      }
    }
    if (!refused) return;
  }
  AdmittedNew admitted;
  Admission last = Admission::kAdmit;
  batch.Filter([&](Packet& p) {
    // Filter clears same_header_as_prev after a dropped frame; the decision is the same.
    if (!p.same_header_as_prev) last = Decide(ctx, p, cfg, st, admitted);
    switch (last) {
      case Admission::kAdmit: return true;
      case Admission::kAdmitUnlearned: ++st.mac_not_learned_allowed; return true;
      case Admission::kForged: ctx.DropIngress(DropReason::kForgedTransmit, p); return false;
      case Admission::kMacLimit: ctx.DropIngress(DropReason::kMacLimit, p); return false;
      case Admission::kMacConflict: ctx.DropIngress(DropReason::kMacConflict, p); return false;
    }
    return true;
  });
}

}  // namespace pvland
