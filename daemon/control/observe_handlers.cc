// monitor (drops | a port's frames, as a subscription), monitor show, why: what the
// observer (daemon/observe) records, and the explainers run on it with today's settings.
#include <pcap/pcap.h>  // struct bpf_insn, bpf_filter, bpf_validate (with the u_int types they use)

#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"
#include "daemon/ipv4/arp_packet.h"
#include "daemon/observe/explain.h"
#include "daemon/packet/parser.h"

namespace pvland {
namespace {

// The kernel's limit for a socket filter (BPF_MAXINSNS), which a tcpdump filter stays under.
constexpr size_t kMaxFilterInsns = 4096;

absl::StatusOr<Observer*> RequireObserver(ControlContext& ctx) {
  if (ctx.observer == nullptr) return absl::UnimplementedError("this pvland keeps no drop records");
  return ctx.observer;
}

absl::Status Monitor(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  auto obs = RequireObserver(ctx);
  if (!obs.ok()) return obs.status();
  SubscribeSpec spec;
  const std::string_view stream = a.String(PVL_A_STREAM).value_or("drops");
  if (stream == "drops") {
    spec.stream = SubscribeSpec::Stream::kDrops;
  } else if (stream == "port") {
    spec.stream = SubscribeSpec::Stream::kPort;
    if (!a.Has(PVL_A_NAME)) return absl::InvalidArgumentError("a port capture needs a port name");
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown stream '", std::string(stream), "'; expected drops or port"));
  }
  if (auto name = a.String(PVL_A_NAME)) {
    auto idx = PortByName(ctx.bridge, *name);
    if (!idx.ok()) return idx.status();
    spec.port = *idx;
  }
  if (auto prog = a.Binary(PVL_A_FILTER)) {
    if (prog->size() % sizeof(bpf_insn) != 0 || prog->empty() || prog->size() / sizeof(bpf_insn) > kMaxFilterInsns)
      return absl::InvalidArgumentError("the capture filter is not a whole BPF program");
    spec.filter.resize(prog->size() / sizeof(bpf_insn));
    std::memcpy(spec.filter.data(), prog->data(), prog->size());
    if (!bpf_validate(spec.filter.data(), static_cast<int>(spec.filter.size())))
      return absl::InvalidArgumentError("the capture filter is not a valid BPF program");
  }
  spec.snaplen = a.U32(PVL_A_SNAPLEN).value_or(DropRecord::kBytes);
  out.Subscribe(std::move(spec));
  return absl::OkStatus();
}

absl::Status MonitorShow(ControlContext& ctx, const ctl::AttrView&, ReplyRecords& out) {
  auto obs = RequireObserver(ctx);
  if (!obs.ok()) return obs.status();
  for (const Observer::SubscriberInfo& s : (*obs)->Subscribers()) {
    ctl::MessageBuilder& m = out.Add();
    m.PutString(PVL_A_STREAM, s.stream == SubscribeSpec::Stream::kDrops ? "drops" : "port");
    if (const SwitchPort* p = ctx.bridge.port(s.port)) m.PutString(PVL_A_PORT, p->name);
    m.PutBool(PVL_A_FILTER_SET, s.filtered);
    m.PutU64(PVL_A_SENT, s.sent);
    m.PutU64(PVL_A_LOST, s.lost);
  }
  return absl::OkStatus();
}

std::optional<observe::PortFacts> Facts(const Bridge& bridge, uint16_t idx) {
  const SwitchPort* p = bridge.port(idx);
  if (p == nullptr) return std::nullopt;
  observe::PortFacts f;
  f.name = p->name;
  f.kind = p->kind;
  f.state = p->state;
  f.cfg = p->cfg;
  const VlanInfo& v = bridge.vlans().Get(p->cfg.vlan);
  f.pvlan = v.type;
  f.primary = v.type == PvlanType::kPrimary ? p->cfg.vlan : v.primary;
  f.security = p->security;
  f.macs_learned = bridge.fdb().CountOf(idx);
  return f;
}

// The IPv4 header of a recorded frame (after any tags). Only the fields a decision reads;
// the header may be cut short by the record, so its lengths are not checked.
bool RecordedIpv4(const DropRecord& r, ipv4::IpPacketInfo* in) {
  size_t off = 12;
  while (off + 4 <= r.caplen) {
    const uint16_t t = LoadBe16(r.bytes.data() + off);
    if (t != 0x8100 && t != 0x88a8) break;
    off += 4;
  }
  if (off + 2 + 20 > r.caplen || LoadBe16(r.bytes.data() + off) != kEthTypeIpv4) return false;
  const uint8_t* ip = r.bytes.data() + off + 2;
  if ((ip[0] >> 4) != 4) return false;
  in->tos = ip[1];
  in->protocol = ip[9];
  in->src = LoadBe32(ip + 12);
  in->dst = LoadBe32(ip + 16);
  return true;
}

// Asks the router again, now, about the recorded frame: the IP guard's decision on the
// internal port `l3` (or the source guard's, with `guard_mode` set), and the facts the
// explainers quote. Pure decisions only: nothing is logged.
observe::IpFacts IpFactsFor(ControlContext& ctx, const DropRecord& r, uint16_t l3, int guard_mode) {
  observe::IpFacts f;
  f.guard_mode = guard_mode;
  const SwitchPort* dev = ctx.bridge.port(l3);
  if (dev == nullptr) return f;
  f.l3_dev = dev->name;
  ipv4::IpPacketInfo in;
  f.parsed = RecordedIpv4(r, &in);
  if (ctx.router == nullptr) return f;
  const kernel_state::L3State& state = ctx.router->state();
  const std::optional<ipv4::ConfView> conf = ctx.router->store().View(dev->name);
  if (!conf) return f;
  f.rp_all = conf->All(ipv4::Knob::kRpFilter);
  f.rp_dev = conf->Dev(ipv4::Knob::kRpFilter);
  f.rp_effective = conf->RpFilter();
  f.accept_local = conf->AcceptLocal();
  f.route_localnet = conf->RouteLocalnet();
  if (!f.parsed) return f;
  f.src = in.src;
  f.dst = in.dst;
  in.ifindex = dev->ifindex;
  in.pkt_type = guard_mode != 0 ? ipv4::PacketType::kHost
                                : ipv4::ClassifyEthernetDestination(ToMac(r.bytes.data()), dev->mac);
  if (auto back = state.fib().Lookup(in.src)) {
    f.route_back_type = std::string(RouteTypeName(back->type));
    if (back->oif) {
      const ipv4::Link* link = state.LinkByIndex(back->oif);
      f.route_back_dev = link ? link->name : absl::StrCat("if", back->oif);
    }
  }
  const ipv4::NetnsFlags& flags = ctx.router->flags();
  auto decide = [&](const ipv4::ConfView& c, int mode) {
    return mode != 0 ? ipv4::SourceGuardDecide(state, flags, c, in, mode) : ipv4::DecideIpInput(state, flags, c, in);
  };
  const ipv4::IpInputDecision now = decide(*conf, guard_mode);
  if (now.drop != ipv4::IpDropKind::kNone) f.reason = std::string(now.reason);
  if (guard_mode != 0) {
    f.passes_loose = decide(*conf, 2).drop == ipv4::IpDropKind::kNone;
    f.passes_off = true;
  } else {
    f.passes_loose = decide(conf->WithRpFilter(2), 0).drop == ipv4::IpDropKind::kNone;
    f.passes_off = decide(conf->WithRpFilter(0), 0).drop == ipv4::IpDropKind::kNone;
  }
  return f;
}

observe::ExplainInput InputFor(ControlContext& ctx, const DropRecord& r) {
  observe::ExplainInput in;
  in.reason = r.reason;
  if (r.detail != nullptr) in.detail = r.detail;
  in.vid = r.vid;
  in.wire_len = r.wire_len;
  in.frame = absl::MakeConstSpan(r.bytes.data(), r.caplen);
  in.port = Facts(ctx.bridge, r.port);
  if (r.in_port != kNoPort) in.in_port = Facts(ctx.bridge, r.in_port);
  if (r.reason == DropReason::kMacConflict && r.caplen >= 12) {
    const uint8_t* src = r.bytes.data() + 6;
    std::optional<uint16_t> owner = ctx.bridge.EffectiveMacOwner(src);
    if (!owner && r.vid != 0)
      if (const FdbEntry* e = ctx.bridge.fdb().Lookup(ctx.bridge.vlans().Domain(r.vid), src)) owner = e->port;
    if (owner)
      if (const SwitchPort* p = ctx.bridge.port(*owner)) in.src_owner = p->name;
  }
  switch (r.reason) {
    case DropReason::kRpFilter:
    case DropReason::kMartianSource:
    case DropReason::kMartianDestination:
      in.ip = IpFactsFor(ctx, r, r.port, 0);
      break;
    case DropReason::kSourceGuard: {
      const SwitchPort* src = ctx.bridge.port(r.in_port != kNoPort ? r.in_port : r.port);
      const int mode = src ? static_cast<int>(src->cfg.source_guard) : 1;
      const std::optional<uint16_t> l3 = ctx.bridge.L3PortOf(ctx.bridge.vlans().Domain(r.vid));
      if (l3) in.ip = IpFactsFor(ctx, r, *l3, mode == 0 ? 1 : mode);
      in.ip.guard_mode = mode == 0 ? 1 : mode;
      break;
    }
    case DropReason::kProxyQueueOverflow: {
      const std::optional<uint16_t> l3 = ctx.bridge.L3PortOf(ctx.bridge.vlans().Domain(r.vid));
      if (l3 && ctx.router != nullptr) {
        const std::string& name = ctx.bridge.port(*l3)->name;
        in.ip.l3_dev = name;
        if (const ipv4::NeighParms* np = ctx.router->store().Neigh(name)) in.proxy_qlen = np->proxy_qlen;
      }
      break;
    }
    default: break;
  }
  return in;
}

absl::Status WhyGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  auto obs = RequireObserver(ctx);
  if (!obs.ok()) return obs.status();
  uint16_t port = kNoPort;
  if (auto name = a.String(PVL_A_NAME)) {
    auto idx = PortByName(ctx.bridge, *name);
    if (!idx.ok()) return idx.status();
    port = *idx;
  }
  const uint32_t limit = a.U32(PVL_A_LIMIT).value_or(10);
  if (limit == 0 || limit > Observer::kRingSize)
    return absl::InvalidArgumentError(absl::StrCat("-n must be 1-", Observer::kRingSize));
  std::vector<const DropRecord*> recent = (*obs)->Recent(limit, port);
  // Oldest first, as a log reads.
  for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
    const DropRecord& r = **it;
    const observe::Explanation e = observe::Explain(InputFor(ctx, r));
    ctl::MessageBuilder& m = out.Add();
    m.PutU64(PVL_A_TIME_NS, static_cast<uint64_t>(r.time_ns));
    if (const SwitchPort* p = ctx.bridge.port(r.port)) m.PutString(PVL_A_PORT, p->name);
    if (r.in_port != kNoPort && r.in_port != r.port)
      if (const SwitchPort* p = ctx.bridge.port(r.in_port)) m.PutString(PVL_A_IN_PORT, p->name);
    m.PutString(PVL_A_REASON, DropReasonName(r.reason));
    if (r.detail != nullptr) m.PutString(PVL_A_DETAIL, r.detail);
    if (r.vid != 0) m.PutU16(PVL_A_VLAN, r.vid);
    m.PutU32(PVL_A_WIRE_LEN, r.wire_len);
    m.PutBinary(PVL_A_FRAME, absl::MakeConstSpan(r.bytes.data(), r.caplen));
    m.PutString(PVL_A_RULE, e.rule);
    if (!e.decided_by.empty()) m.PutString(PVL_A_DECIDED_BY, e.decided_by);
    if (!e.fix.empty()) m.PutString(PVL_A_FIX, e.fix);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterObserveHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_MONITOR, Monitor);
  d.Register(PVL_CMD_MONITOR_GET, MonitorShow);
  d.Register(PVL_CMD_WHY_GET, WhyGet);
}

}  // namespace pvland
