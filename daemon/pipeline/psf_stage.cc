#include "daemon/pipeline/psf_stage.h"

namespace pvland {

DropReason PsfDropReason(psf::Reason r) {
  switch (r) {
    case psf::Reason::kMalformed: return DropReason::kPsfMalformed;
    case psf::Reason::kInvalidFlags: return DropReason::kPsfInvalidFlags;
    case psf::Reason::kNoState: return DropReason::kPsfNoState;
    case psf::Reason::kInvalidState: return DropReason::kPsfInvalidState;
    case psf::Reason::kOutOfWindow: return DropReason::kPsfOutOfWindow;
    case psf::Reason::kTableFull: return DropReason::kPsfTableFull;
    case psf::Reason::kNone:
    case psf::Reason::kCount: break;
  }
  return DropReason::kPsfInvalidState;
}

namespace {

bool IsTcp(const Packet& p) { return p.l3() == L3Kind::kIpv4 && p.ip_proto == 6; }

}  // namespace

void PsfStage::Process(PacketBatch& batch, StageContext& ctx) {
  psf::FlowTable* table = ctx.in.psf.get();
  if (table == nullptr) return;
  batch.Filter([&](Packet& p) {
    if (!IsTcp(p)) return true;
    const psf::Verdict v = psf::TrackPacket(*table, p, psf::PortDir::kFromPort, ctx.now);
    if (v.pass) return true;
    // The detail is a string literal of the tracker (static storage, as CountDrop needs).
    ctx.DropIngress(PsfDropReason(v.reason), p, v.detail.empty() ? nullptr : v.detail.data());
    return false;
  });
}

std::optional<DropReason> PsfFilter::Check(const StageContext& ctx, const Packet& p, uint16_t dst_idx,
                                           const SwitchPort& dst) const {
  if (dst.psf == nullptr || !IsTcp(p)) return std::nullopt;
  // The table belongs to the destination; tracking changes it (the filter interface is
  // const because most filters only read).
  psf::FlowTable& table = *ctx.bridge.port(dst_idx)->psf;
  const psf::Verdict v = psf::TrackPacket(table, p, psf::PortDir::kToPort, ctx.now);
  if (v.pass) return std::nullopt;
  return PsfDropReason(v.reason);
}

}  // namespace pvland
