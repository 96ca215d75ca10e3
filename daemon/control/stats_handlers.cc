// stats show | clear: per-port traffic and drops by reason.
#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"

namespace pvland {
namespace {

// Runs f(index, port) on the named port, or on every port when no name was given.
template <typename F>
absl::Status ForPorts(ControlContext& ctx, const ctl::AttrView& a, F f) {
  if (auto name = a.String(PVL_A_NAME)) {
    auto idx = PortByName(ctx.bridge, *name);
    if (!idx.ok()) return idx.status();
    f(*idx, *ctx.bridge.port(*idx));
    return absl::OkStatus();
  }
  for (size_t i = 0; i < ctx.bridge.port_slots(); ++i)
    if (SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i))) f(static_cast<uint16_t>(i), *p);
  return absl::OkStatus();
}

// A list of ITEM{REASON, COUNT}: drops by reason, ARP verdicts by reason.
template <typename Pairs>
void PutReasonCounts(ctl::MessageBuilder& m, uint16_t attr, const Pairs& pairs) {
  nlattr* list = m.NestStart(attr);
  for (const auto& [reason, count] : pairs) {
    nlattr* item = m.NestStart(PVL_A_ITEM);
    m.PutString(PVL_A_REASON, reason);
    m.PutU64(PVL_A_COUNT, count);
    m.NestEnd(item);
  }
  m.NestEnd(list);
}

absl::Status StatsGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  return ForPorts(ctx, a, [&](uint16_t idx, SwitchPort& p) {
    if (auto kernel = ctx.dataplane.KernelDrops(idx))
      p.counters.drops[static_cast<int>(DropReason::kRxRingFull)] = p.rx_ring_base + *kernel;
    ctl::MessageBuilder& m = out.Add();
    m.PutString(PVL_A_NAME, p.name);
    m.PutU64(PVL_A_RX_PACKETS, p.counters.rx_packets);
    m.PutU64(PVL_A_RX_BYTES, p.counters.rx_bytes);
    m.PutU64(PVL_A_TX_PACKETS, p.counters.tx_packets);
    m.PutU64(PVL_A_TX_BYTES, p.counters.tx_bytes);
    std::vector<std::pair<std::string_view, uint64_t>> drops;
    for (int r = 0; r < kDropReasonCount; ++r)
      if (p.counters.drops[r] != 0) drops.emplace_back(DropReasonName(static_cast<DropReason>(r)), p.counters.drops[r]);
    PutReasonCounts(m, PVL_A_DROPS, drops);
    // ARP verdicts: counted on the internal port that is its VLAN's L3 device.
    std::vector<std::pair<std::string_view, uint64_t>> verdicts;
    for (int v = 0; v < kArpVerdictCount; ++v)
      if (p.counters.arp_verdicts[v] != 0)
        verdicts.emplace_back(ArpVerdictName(static_cast<ArpVerdict>(v)), p.counters.arp_verdicts[v]);
    if (!verdicts.empty()) PutReasonCounts(m, PVL_A_ARP, verdicts);
  });
}

absl::Status StatsClear(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  return ForPorts(ctx, a, [&](uint16_t idx, SwitchPort& p) {
    p.counters = PortCounters{};
    // Kernel ring drops only ever grow; remember where zero is now.
    p.rx_ring_base = -static_cast<int64_t>(ctx.dataplane.KernelDrops(idx).value_or(0));
  });
}

}  // namespace

void RegisterStatsHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_STATS_GET, StatsGet);
  d.Register(PVL_CMD_STATS_CLEAR, StatsClear);
}

}  // namespace pvland
