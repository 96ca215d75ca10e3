// mirror add | del | rule add | rule del | show (docs/mirroring.md), and the mirror
// configuration as command lines.
#include "daemon/control/mirror_handlers.h"

#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"
#include "daemon/packet/vxlan.h"
#include "include/pvland/ipv4_addr.h"
#include "include/pvland/mirror_values.h"

namespace pvland {
namespace {

absl::StatusOr<std::string_view> RequireName(const ctl::AttrView& a) {
  auto name = a.String(PVL_A_NAME);
  if (!name) return absl::InvalidArgumentError("mirror session name missing");
  if (absl::Status s = CheckMirrorName(*name); !s.ok()) return s;
  return *name;
}

absl::StatusOr<uint8_t> Direction(const ctl::AttrView& a) {
  auto v = a.String(PVL_A_MIRROR_DIR);
  if (!v) return kMirrorBoth;
  auto d = ParseMirrorDirection(*v);
  if (!d)
    return absl::InvalidArgumentError(
        absl::StrCat("direction must be ingress, egress or both, not '", std::string(*v), "'"));
  return *d;
}

absl::Status MirrorAdd(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto name = RequireName(a);
  if (!name.ok()) return name.status();
  mirror::SessionSpec spec;
  spec.name = std::string(*name);
  auto source = a.String(PVL_A_SOURCE);
  if (!source) return absl::InvalidArgumentError("source port missing");
  auto idx = PortByName(ctx.bridge, *source);
  if (!idx.ok()) return idx.status();
  spec.source = *idx;
  auto dirs = Direction(a);
  if (!dirs.ok()) return dirs.status();
  spec.dirs = *dirs;
  auto target = a.Ipv4(PVL_A_TARGET);
  if (!target) return absl::InvalidArgumentError("target address missing");
  spec.target = *target;
  spec.dstport = a.U16(PVL_A_DSTPORT).value_or(kVxlanPort);
  if (auto v = a.U32(PVL_A_VNI)) spec.vni = *v;
  spec.length = a.U32(PVL_A_PACKET_LENGTH).value_or(0);
  if (auto n = a.U16(PVL_A_NUMBER)) spec.number = *n;
  // Checked before the socket opens, so a refused add leaves pvland as it was.
  if (ctx.bridge.mirror().Find(spec.name) != nullptr)
    return absl::AlreadyExistsError(absl::StrCat("mirror session '", spec.name, "' exists"));
  if (absl::Status s = ctx.dataplane.EnableMirroring(); !s.ok()) return s;
  return ctx.bridge.mirror().Add(spec).status();
}

absl::Status MirrorDel(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto name = RequireName(a);
  if (!name.ok()) return name.status();
  return ctx.bridge.mirror().Del(*name);
}

template <typename T, typename Parse>
absl::Status OptionalField(const ctl::AttrView& a, uint16_t attr, std::optional<T>* out, Parse parse) {
  auto v = a.String(attr);
  if (!v) return absl::OkStatus();
  auto parsed = parse(*v);
  if (!parsed.ok()) return parsed.status();
  *out = *parsed;
  return absl::OkStatus();
}

absl::Status MirrorRuleAdd(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto name = RequireName(a);
  if (!name.ok()) return name.status();
  mirror::Rule r;
  auto number = a.U16(PVL_A_NUMBER);
  if (!number) return absl::InvalidArgumentError("rule number missing");
  r.number = *number;
  auto action = a.String(PVL_A_ACTION);
  if (!action || (*action != "accept" && *action != "reject"))
    return absl::InvalidArgumentError("rule action must be accept or reject");
  r.accept = *action == "accept";
  auto dirs = Direction(a);
  if (!dirs.ok()) return dirs.status();
  r.dirs = *dirs;
  if (auto p = a.String(PVL_A_PROTOCOL)) {
    auto proto = ParseIpProtocol(*p);
    if (!proto.ok()) return proto.status();
    r.protocol = *proto;
  }
  absl::Status s = OptionalField(a, PVL_A_SRC, &r.src, [](std::string_view v) { return ParseIpPrefix(v, "src"); });
  if (s.ok()) s = OptionalField(a, PVL_A_DST, &r.dst, [](std::string_view v) { return ParseIpPrefix(v, "dst"); });
  if (s.ok()) s = OptionalField(a, PVL_A_SPORT, &r.sport, [](std::string_view v) { return ParsePortRange(v, "sport"); });
  if (s.ok()) s = OptionalField(a, PVL_A_DPORT, &r.dport, [](std::string_view v) { return ParsePortRange(v, "dport"); });
  if (!s.ok()) return s;
  return ctx.bridge.mirror().AddRule(*name, r);
}

absl::Status MirrorRuleDel(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto name = RequireName(a);
  if (!name.ok()) return name.status();
  auto number = a.U16(PVL_A_NUMBER);
  if (!number) return absl::InvalidArgumentError("rule number missing");
  return ctx.bridge.mirror().DelRule(*name, *number);
}

std::string SourceName(const Bridge& bridge, const mirror::Session& s) {
  const SwitchPort* p = bridge.port(s.source);
  return p != nullptr ? p->name : "?";
}

void PutRule(const mirror::Rule& r, ctl::MessageBuilder& m) {
  m.PutU16(PVL_A_NUMBER, r.number);
  m.PutString(PVL_A_ACTION, r.accept ? "accept" : "reject");
  m.PutString(PVL_A_MIRROR_DIR, MirrorDirectionName(r.dirs));
  m.PutString(PVL_A_PROTOCOL, IpProtocolName(r.protocol));
  if (r.src) m.PutString(PVL_A_SRC, FormatIpPrefix(*r.src));
  if (r.dst) m.PutString(PVL_A_DST, FormatIpPrefix(*r.dst));
  if (r.sport) m.PutString(PVL_A_SPORT, FormatPortRange(*r.sport));
  if (r.dport) m.PutString(PVL_A_DPORT, FormatPortRange(*r.dport));
  m.PutU64(PVL_A_HITS, r.hits);
}

void PutSession(const Bridge& bridge, const mirror::Session& s, ctl::MessageBuilder& m) {
  m.PutString(PVL_A_NAME, s.name);
  m.PutString(PVL_A_SOURCE, SourceName(bridge, s));
  m.PutString(PVL_A_MIRROR_DIR, MirrorDirectionName(s.dirs));
  m.PutIpv4(PVL_A_TARGET, s.target);
  m.PutU16(PVL_A_DSTPORT, s.dstport);
  m.PutU32(PVL_A_VNI, s.vni);
  if (s.length != 0) m.PutU32(PVL_A_PACKET_LENGTH, s.length);
  m.PutU16(PVL_A_NUMBER, s.number);
  m.PutU64(PVL_A_TX_PACKETS, s.counters.packets);
  m.PutU64(PVL_A_TX_BYTES, s.counters.bytes);
  m.PutU64(PVL_A_LOST, s.counters.lost);
  m.PutU64(PVL_A_TRUNCATED, s.counters.truncated);
  m.PutU64(PVL_A_SEG_ERRORS, s.counters.seg_errors);
  if (s.error != 0) m.PutString(PVL_A_TARGET_ERROR, strerrorname_np(s.error));
  nlattr* list = m.NestStart(PVL_A_RULES);
  for (const mirror::Rule& r : s.rules) {
    nlattr* item = m.NestStart(PVL_A_ITEM);
    PutRule(r, m);
    m.NestEnd(item);
  }
  m.NestEnd(list);
}

absl::Status MirrorGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  if (a.Has(PVL_A_NAME)) {
    auto name = RequireName(a);
    if (!name.ok()) return name.status();
    const mirror::Session* s = ctx.bridge.mirror().Find(*name);
    if (s == nullptr) return absl::NotFoundError(absl::StrCat("no mirror session named '", std::string(*name), "'"));
    PutSession(ctx.bridge, *s, out.Add());
    return absl::OkStatus();
  }
  for (const mirror::Session* s : ctx.bridge.mirror().Ordered()) PutSession(ctx.bridge, *s, out.Add());
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> MirrorCommands(const Bridge& bridge) {
  std::vector<std::string> lines;
  for (const mirror::Session* s : bridge.mirror().Ordered()) {
    std::string line = absl::StrCat("mirror add ", s->name, " source ", SourceName(bridge, *s), " direction ",
                                    std::string(MirrorDirectionName(s->dirs)), " target ", FormatIpv4(s->target),
                                    " dstport ", s->dstport, " vni ", s->vni);
    if (s->length != 0) absl::StrAppend(&line, " length ", s->length);
    absl::StrAppend(&line, " number ", s->number);
    lines.push_back(std::move(line));
    for (const mirror::Rule& r : s->rules) {
      std::string rule = absl::StrCat("mirror rule add ", s->name, " number ", r.number, r.accept ? " accept" : " reject",
                                      " direction ", std::string(MirrorDirectionName(r.dirs)));
      if (r.protocol) absl::StrAppend(&rule, " protocol ", IpProtocolName(r.protocol));
      if (r.src) absl::StrAppend(&rule, " src ", FormatIpPrefix(*r.src));
      if (r.dst) absl::StrAppend(&rule, " dst ", FormatIpPrefix(*r.dst));
      if (r.sport) absl::StrAppend(&rule, " sport ", FormatPortRange(*r.sport));
      if (r.dport) absl::StrAppend(&rule, " dport ", FormatPortRange(*r.dport));
      lines.push_back(std::move(rule));
    }
  }
  return lines;
}

void RegisterMirrorHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_MIRROR_ADD, MirrorAdd);
  d.Register(PVL_CMD_MIRROR_DEL, MirrorDel);
  d.Register(PVL_CMD_MIRROR_GET, MirrorGet);
  d.Register(PVL_CMD_MIRROR_RULE_ADD, MirrorRuleAdd);
  d.Register(PVL_CMD_MIRROR_RULE_DEL, MirrorRuleDel);
}

}  // namespace pvland
