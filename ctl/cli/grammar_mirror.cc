// mirror add | del | rule add | rule del | show: traffic mirror sessions in AWS Traffic
// Mirroring's model (docs/mirroring.md). Values go through include/pvland/mirror_values.h,
// which the daemon uses too, and are sent in the form `mirror show` prints.
#include <optional>

#include "ctl/cli/args.h"
#include "ctl/cli/values.h"
#include "include/pvland/mirror_values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl::grammar {
namespace {

absl::StatusOr<std::string_view> NeedName(Args& a) {
  auto w = a.Need("NAME");
  if (!w.ok()) return w.status();
  if (absl::Status s = CheckMirrorName(*w); !s.ok()) return a.Wrap(s);
  return *w;
}

Keyword DirectionKey(MessageBuilder& b) {
  return {"direction", true, [&b](std::string_view v) -> absl::Status {
            auto d = ParseMirrorDirection(v);
            if (!d) return absl::InvalidArgumentError(text::Cat("direction must be ingress, egress or both, got '", v, "'"));
            b.PutString(PVL_A_MIRROR_DIR, MirrorDirectionName(*d));
            return absl::OkStatus();
          }};
}

Keyword NumberKey(MessageBuilder& b, bool* seen) {
  return {"number", true, [&b, seen](std::string_view v) -> absl::Status {
            auto n = ParseUint(v, 1, kMirrorNumberMax, "number");
            if (!n.ok()) return n.status();
            b.PutU16(PVL_A_NUMBER, static_cast<uint16_t>(*n));
            *seen = true;
            return absl::OkStatus();
          }};
}

// mirror add NAME source PORT target IP [direction D] [dstport N] [vni N] [length N] [number N]
absl::StatusOr<Command> Add(Args& a, uint32_t seq) {
  auto name = NeedName(a);
  if (!name.ok()) return name.status();
  MessageBuilder b = NewRequest(PVL_CMD_MIRROR_ADD, seq, false);
  b.PutString(PVL_A_NAME, *name);
  bool source = false, target = false, number = false;
  const auto uint_key = [&b](std::string_view key, uint16_t attr, uint64_t min, uint64_t max, bool u16) {
    return Keyword{key, true, [&b, key, attr, min, max, u16](std::string_view v) -> absl::Status {
                     auto n = ParseUint(v, min, max, key);
                     if (!n.ok()) return n.status();
                     if (u16) b.PutU16(attr, static_cast<uint16_t>(*n));
                     else b.PutU32(attr, static_cast<uint32_t>(*n));
                     return absl::OkStatus();
                   }};
  };
  const Keyword keys[] = {
      {"source", true,
       [&](std::string_view v) -> absl::Status {
         if (absl::Status s = CheckIfName(v); !s.ok()) return s;
         b.PutString(PVL_A_SOURCE, v);
         source = true;
         return absl::OkStatus();
       }},
      DirectionKey(b),
      {"target", true,
       [&](std::string_view v) -> absl::Status {
         auto ip = ParseIpv4(v);
         if (!ip.ok()) return absl::InvalidArgumentError(text::Cat("target must be an IPv4 address, got '", v, "'"));
         b.PutIpv4(PVL_A_TARGET, *ip);
         target = true;
         return absl::OkStatus();
       }},
      uint_key("dstport", PVL_A_DSTPORT, 1, 65535, true),
      uint_key("vni", PVL_A_VNI, 0, kMirrorVniMax, false),
      uint_key("length", PVL_A_PACKET_LENGTH, kMirrorLengthMin, kMirrorLengthMax, false),
      NumberKey(b, &number),
  };
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  if (!source) return a.Error("missing 'source PORT': the port whose traffic is mirrored");
  if (!target) return a.Error("missing 'target IP': where the VXLAN copies go");
  return Finish(PVL_CMD_MIRROR_ADD, b, a);
}

absl::StatusOr<Command> Del(Args& a, uint32_t seq) {
  auto name = NeedName(a);
  if (!name.ok()) return name.status();
  if (absl::Status s = a.Done(); !s.ok()) return s;
  MessageBuilder b = NewRequest(PVL_CMD_MIRROR_DEL, seq, false);
  b.PutString(PVL_A_NAME, *name);
  return Finish(PVL_CMD_MIRROR_DEL, b, a);
}

absl::StatusOr<Command> Show(Args& a, uint32_t seq) {
  const bool all = a.empty();
  MessageBuilder b = NewRequest(PVL_CMD_MIRROR_GET, seq, all);
  if (!all) {
    auto name = NeedName(a);
    if (!name.ok()) return name.status();
    if (absl::Status s = a.Done(); !s.ok()) return s;
    b.PutString(PVL_A_NAME, *name);
  }
  return Finish(PVL_CMD_MIRROR_GET, b, a);
}

// mirror rule add NAME number N accept|reject [direction D] [protocol P] [src CIDR]
//   [dst CIDR] [sport A-B] [dport A-B]
absl::StatusOr<Command> RuleAdd(Args& a, uint32_t seq) {
  auto name = NeedName(a);
  if (!name.ok()) return name.status();
  MessageBuilder b = NewRequest(PVL_CMD_MIRROR_RULE_ADD, seq, false);
  b.PutString(PVL_A_NAME, *name);
  bool number = false;
  std::optional<std::string_view> action;
  std::optional<uint8_t> proto;
  std::optional<IpPrefix> src, dst;
  bool ports = false;
  const auto action_key = [&](std::string_view word) {
    return Keyword{word, false, [&, word](std::string_view) -> absl::Status {
                     if (action) return absl::InvalidArgumentError("give one of accept and reject");
                     action = word;
                     return absl::OkStatus();
                   }};
  };
  const auto prefix_key = [&](std::string_view key, uint16_t attr, std::optional<IpPrefix>* out) {
    return Keyword{key, true, [&b, key, attr, out](std::string_view v) -> absl::Status {
                     auto p = ParseIpPrefix(v, key);
                     if (!p.ok()) return p.status();
                     *out = *p;
                     b.PutString(attr, FormatIpPrefix(*p));
                     return absl::OkStatus();
                   }};
  };
  const auto range_key = [&](std::string_view key, uint16_t attr) {
    return Keyword{key, true, [&b, &ports, key, attr](std::string_view v) -> absl::Status {
                     auto r = ParsePortRange(v, key);
                     if (!r.ok()) return r.status();
                     ports = true;
                     b.PutString(attr, FormatPortRange(*r));
                     return absl::OkStatus();
                   }};
  };
  const Keyword keys[] = {
      NumberKey(b, &number),
      action_key("accept"),
      action_key("reject"),
      DirectionKey(b),
      {"protocol", true,
       [&](std::string_view v) -> absl::Status {
         auto p = ParseIpProtocol(v);
         if (!p.ok()) return p.status();
         proto = *p;
         if (proto) b.PutString(PVL_A_PROTOCOL, IpProtocolName(proto));
         return absl::OkStatus();
       }},
      prefix_key("src", PVL_A_SRC, &src),
      prefix_key("dst", PVL_A_DST, &dst),
      range_key("sport", PVL_A_SPORT),
      range_key("dport", PVL_A_DPORT),
  };
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  if (!number) return a.Error("missing 'number N': rules are evaluated by ascending number");
  if (!action) return a.Error("missing accept or reject");
  if (absl::Status s = CheckMirrorRuleFields(proto, src, dst, ports); !s.ok()) return a.Wrap(s);
  b.PutString(PVL_A_ACTION, *action);
  return Finish(PVL_CMD_MIRROR_RULE_ADD, b, a);
}

absl::StatusOr<Command> RuleDel(Args& a, uint32_t seq) {
  auto name = NeedName(a);
  if (!name.ok()) return name.status();
  MessageBuilder b = NewRequest(PVL_CMD_MIRROR_RULE_DEL, seq, false);
  b.PutString(PVL_A_NAME, *name);
  bool number = false;
  const Keyword keys[] = {NumberKey(b, &number)};
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  if (!number) return a.Error("missing 'number N': the rule to delete");
  return Finish(PVL_CMD_MIRROR_RULE_DEL, b, a);
}

absl::StatusOr<Command> Rule(Args& a, uint32_t seq) {
  auto verb = a.Need("add or del");
  if (!verb.ok()) return verb.status();
  if (*verb == "add") return RuleAdd(a, seq);
  if (*verb == "del") return RuleDel(a, seq);
  return a.Error(text::Cat("unknown verb '", *verb, "'; expected add or del"));
}

}  // namespace

const Object& MirrorObject() {
  static const Object* const kMirror = new Object{
      "mirror",
      {
          {"add",
           "mirror add NAME source PORT [direction ingress|egress|both] target IP [dstport N] [vni N] [length N] "
           "[number N]",
           Add},
          {"del", "mirror del NAME", Del},
          {"rule",
           "mirror rule add NAME number N accept|reject [direction ingress|egress|both] [protocol P]\n"
           "                [src CIDR] [dst CIDR] [sport A[-B]] [dport A[-B]]\n"
           "mirror rule del NAME number N",
           Rule},
          {"show", "mirror show [NAME]", Show},
      },
      nullptr,
      {"  VXLAN (RFC 7348) copies of PORT's frames to IP, UDP port dstport (default 4789);",
       "  egress: what PORT's host sends, ingress: what it receives (default both);",
       "  a session without rules mirrors nothing; sessions on a port by number, first accept wins",
       "  vni 0-16777215 (default: random, unused), length 14-65535 inner bytes, number 1-32766",
       "  P: tcp|udp|icmp|icmpv6|all|0-255; CIDR: IPv4 or IPv6 prefix; ports need tcp or udp"},
  };
  return *kMirror;
}

}  // namespace pvland::ctl::grammar
