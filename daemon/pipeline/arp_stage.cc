#include "daemon/pipeline/arp_stage.h"

#include <cstring>

#include "daemon/ipv4/arp_packet.h"
#include "daemon/ipv4/arp_reply.h"
#include "daemon/packet/parser.h"
#include "daemon/pipeline/tx_queue.h"

namespace pvland {

Packet MakeArpReplyPacket(const ipv4::ArpReplyFields& r, uint16_t vid, uint16_t domain, uint8_t* storage) {
  static_assert(GeneratedFrames::kMaxLen >= ipv4::kEthMinFrameLen);
  Packet reply;
  reply.frame = storage;
  reply.len = reply.wire_len = static_cast<uint32_t>(ipv4::WriteArpReply(r, storage, ipv4::ReplyPadding::kAsKernel));
  reply.payload_off = 12;
  reply.ethertype = kEthTypeArp;
  reply.vid = vid;
  reply.domain = domain;
  return reply;
}

void CountArpVerdict(Bridge& bridge, uint16_t l3_port, ArpVerdict v) {
  SwitchPort* port = bridge.port(l3_port);
  if (port == nullptr || port->kind != PortKind::kInternal) return;
  ++port->counters.arp_verdicts[static_cast<int>(v)];
}

void CountArpVerdict(Bridge& bridge, uint16_t l3_port, std::string_view reason) {
  if (const std::optional<ArpVerdict> v = ArpVerdictByName(reason)) CountArpVerdict(bridge, l3_port, *v);
}

void ArpStage::Handle(const Packet& p, StageContext& ctx) {
  const auto l3port = ctx.bridge.L3PortOf(p.domain);
  if (!l3port) return;
  const ipv4::Link* dev = decider_.Device(ctx.bridge.port(*l3port)->ifindex);
  if (dev == nullptr) return;  // not yet seen over netlink

  const ipv4::PacketType type = ipv4::ClassifyEthernetDestination(ToMac(p.dst()), dev->mac);
  // The ARP header starts after the ethertype; the parser checked the 2 bytes exist.
  auto arp = ipv4::ParseArp(absl::MakeConstSpan(p.payload() + 2, p.payload_len() - 2), type);
  if (!arp) {
    CountArpVerdict(ctx.bridge, *l3port, ArpVerdict::kArpTruncated);
    return;
  }
  // The internal port sees the frame untagged: that is the header the kernel would log.
  uint8_t ll[kEthHeaderLen];
  std::memcpy(ll, p.frame, 12);
  StoreBe16(ll + 12, kEthTypeArp);
  const ipv4::ArpInput in{*arp, dev->ifindex, false};
  const ipv4::ArpDecision d = decider_.Decide(in, absl::MakeConstSpan(ll, sizeof ll));
  CountArpVerdict(ctx.bridge, *l3port, d.reason);
  if (d.action == ipv4::ArpAction::kEnqueue) {
    if (!decider_.Enqueue(in, ArpCookie{ctx.in_port, p.vid, *l3port}.Pack()))
      ctx.DropIngress(DropReason::kProxyQueueOverflow, p);
    return;
  }
  if (d.action != ipv4::ArpAction::kReply) return;
  Packet* reply = ctx.generated ? ctx.generated->New() : nullptr;
  if (reply == nullptr) return;
  *reply = MakeArpReplyPacket(d.reply, p.vid, p.domain, reply->frame);
  QueueForTransmit(ctx, ctx.in_port, *reply);
}

void ArpStage::Process(PacketBatch& batch, StageContext& ctx) {
  // The kernel's own requests from the internal port are not decided by pvland.
  if (ctx.in.kind == PortKind::kInternal) return;
  for (const Packet& p : batch)
    if (p.ethertype == kEthTypeArp) Handle(p, ctx);
}

}  // namespace pvland
