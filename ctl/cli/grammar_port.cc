// port add | del | set | show.
#include <string>
#include <vector>

#include "ctl/cli/args.h"
#include "ctl/cli/values.h"
#include "include/pvland/parse_uint.h"
#include "include/pvland/strings.h"
#include "include/pvland/types.h"

namespace pvland::ctl::grammar {
namespace {

// The settable keys, shared by `port set` and the tail of `port add NAME type T`. Each
// writes its attribute into `b` as soon as its value is valid; a later error discards
// the whole message, so nothing partial escapes.
std::vector<Keyword> PortKeys(MessageBuilder& b) {
  const auto on_off = [&b](std::string_view name, uint16_t attr) {
    return Keyword{name, true, [&b, name, attr](std::string_view v) -> absl::Status {
                     auto on = ParseOnOff(v, name);
                     if (!on.ok()) return on.status();
                     b.PutBool(attr, *on);
                     return absl::OkStatus();
                   }};
  };
  // A word among `choices` (port security's policies).
  const auto one_of = [&b](std::string_view name, uint16_t attr, std::string_view a, std::string_view c) {
    return Keyword{name, true, [&b, name, attr, a, c](std::string_view v) -> absl::Status {
                     if (v != a && v != c)
                       return absl::InvalidArgumentError(text::Cat(name, " must be ", a, " or ", c, ", got '", v, "'"));
                     b.PutString(attr, v);
                     return absl::OkStatus();
                   }};
  };
  const auto number = [&b](std::string_view name, uint16_t attr, uint64_t min, uint64_t max) {
    return Keyword{name, true, [&b, name, attr, min, max](std::string_view v) -> absl::Status {
                     auto n = ParseUint(v, min, max, name);
                     if (!n.ok()) return n.status();
                     b.PutU32(attr, static_cast<uint32_t>(*n));
                     return absl::OkStatus();
                   }};
  };
  return {
      {"vlan", true,
       [&b](std::string_view v) -> absl::Status {
         auto vid = ParseVlanId(v, "vlan");
         if (!vid.ok()) return vid.status();
         b.PutU16(PVL_A_VLAN, *vid);
         return absl::OkStatus();
       }},
      {"mode", true,
       [&b](std::string_view v) -> absl::Status {
         if (v != "access" && v != "trunk")
           return absl::InvalidArgumentError(
               text::Cat("mode must be access or trunk, got '", v, "'"));
         b.PutString(PVL_A_MODE, v);
         return absl::OkStatus();
       }},
      {"allowed", true,
       [&b](std::string_view v) -> absl::Status {
         auto list = ParseAllowedList(v);
         if (!list.ok()) return list.status();
         b.PutString(PVL_A_ALLOWED, *list);
         return absl::OkStatus();
       }},
      {"native", true,
       [&b](std::string_view v) -> absl::Status {
         uint16_t vid = 0;  // 0 on the wire: untagged frames are not accepted on the trunk
         if (v != "none") {
           auto n = ParseVlanId(v, "native");
           if (!n.ok())
             return absl::InvalidArgumentError(
                 text::Cat("native must be 1-4094 or none, got '", v, "'"));
           vid = *n;
         }
         b.PutU16(PVL_A_NATIVE, vid);
         return absl::OkStatus();
       }},
      on_off("isolated", PVL_A_ISOLATED),
      on_off("learning", PVL_A_LEARNING),
      on_off("flood", PVL_A_FLOOD),
      on_off("mcast_flood", PVL_A_MCAST_FLOOD),
      on_off("bcast_flood", PVL_A_BCAST_FLOOD),
      on_off("hairpin", PVL_A_HAIRPIN),
      {"source_guard", true,
       [&b](std::string_view v) -> absl::Status {
         if (v != "off" && v != "strict" && v != "loose")
           return absl::InvalidArgumentError(
               text::Cat("source_guard must be off, strict or loose, got '", v, "'"));
         b.PutString(PVL_A_SOURCE_GUARD, v);
         return absl::OkStatus();
       }},
      one_of("mac_changes", PVL_A_MAC_CHANGES, "accept", "reject"),
      one_of("forged_transmits", PVL_A_FORGED_TRANSMITS, "accept", "reject"),
      one_of("promiscuous", PVL_A_PROMISCUOUS, "accept", "reject"),
      on_off("mac_learning", PVL_A_MAC_LEARNING),
      number("mac_limit", PVL_A_MAC_LIMIT, 0, 4096),
      one_of("mac_limit_policy", PVL_A_MAC_LIMIT_POLICY, "allow", "drop"),
      number("mac_aging", PVL_A_MAC_AGING, 1, 86400 * 365),
      {"psf", true,
       [&b](std::string_view v) -> absl::Status {
         if (v != "auto" && v != "enabled" && v != "disabled")
           return absl::InvalidArgumentError(text::Cat("psf must be auto, enabled or disabled, got '", v, "'"));
         b.PutString(PVL_A_PSF, v);
         return absl::OkStatus();
       }},
      {"role", true,
       [&b](std::string_view v) -> absl::Status {
         if (v != "bare-metal" && v != "instance" && v != "gateway")
           return absl::InvalidArgumentError(text::Cat("role must be bare-metal, instance or gateway, got '", v, "'"));
         b.PutString(PVL_A_ROLE, v);
         return absl::OkStatus();
       }},
      on_off("psf_liberal", PVL_A_PSF_LIBERAL),
      number("psf_max_entries", PVL_A_PSF_MAX_ENTRIES, 1, 1u << 20),
      {"initial_mac", true,
       [&b](std::string_view v) -> absl::Status {
         if (v != "auto") {
           auto mac = ParseMac(v);
           if (!mac.ok() || IsMulticastMac(mac->data()) || *mac == MacAddr{})
             return absl::InvalidArgumentError(text::Cat("initial_mac must be a unicast MAC or auto, got '", v, "'"));
         }
         b.PutString(PVL_A_INITIAL_MAC, v);
         return absl::OkStatus();
       }},
  };
}

std::string KeyNames() {
  MessageBuilder scratch(0, 0, 0, 0);
  std::vector<std::string_view> names;
  for (const Keyword& k : PortKeys(scratch)) names.push_back(k.name);
  return text::Join(names, ", ");
}

// NAME of an existing or new port; validated as an interface name because every port is
// one (netdev: attached, tap/internal: created).
absl::StatusOr<std::string_view> NeedPortName(Args& a) {
  auto name = a.Need("port NAME");
  if (!name.ok()) return name.status();
  if (absl::Status s = CheckIfName(*name); !s.ok()) return a.Wrap(s);
  return *name;
}

// A VXLAN port's own keys (`port add NAME type vxlan ...` only): vni, remote (once per
// remote endpoint), local, dstport. Remotes are collected in `remotes` and written as one
// list after the keywords.
std::vector<Keyword> VxlanKeys(MessageBuilder& b, std::vector<uint32_t>& remotes, bool& have_vni) {
  const auto address = [](std::string_view what, std::string_view v) -> absl::StatusOr<uint32_t> {
    auto addr = ParseIpv4(v);
    if (!addr.ok()) return absl::InvalidArgumentError(text::Cat(what, " must be an IPv4 address, got '", v, "'"));
    return *addr;
  };
  return {
      {"vni", true,
       [&b, &have_vni](std::string_view v) -> absl::Status {
         auto n = ParseUint(v, 0, 0xffffff, "vni");
         if (!n.ok()) return n.status();
         b.PutU32(PVL_A_VNI, static_cast<uint32_t>(*n));
         have_vni = true;
         return absl::OkStatus();
       }},
      {"remote", true,
       [&remotes, address](std::string_view v) -> absl::Status {
         auto addr = address("remote", v);
         if (!addr.ok()) return addr.status();
         remotes.push_back(*addr);
         return absl::OkStatus();
       },
       /*repeatable=*/true},
      {"local", true,
       [&b, address](std::string_view v) -> absl::Status {
         auto addr = address("local", v);
         if (!addr.ok()) return addr.status();
         b.PutIpv4(PVL_A_LOCAL, *addr);
         return absl::OkStatus();
       }},
      {"dstport", true,
       [&b](std::string_view v) -> absl::Status {
         auto n = ParseUint(v, 1, 65535, "dstport");
         if (!n.ok()) return n.status();
         b.PutU16(PVL_A_DSTPORT, static_cast<uint16_t>(*n));
         return absl::OkStatus();
       }},
  };
}

absl::StatusOr<Command> Add(Args& a, uint32_t seq) {
  auto name = NeedPortName(a);
  if (!name.ok()) return name.status();
  MessageBuilder b = NewRequest(PVL_CMD_PORT_ADD, seq, false);
  b.PutString(PVL_A_NAME, *name);
  std::string_view type = "netdev";
  if (!a.empty()) {
    if (a.Peek() != "type")
      return a.Error(text::Cat("expected 'type tap|internal|netdev|vxlan' after ", *name, ", got '",
                                  a.Peek(), "' (settings follow the type: port add ", *name,
                                  " type netdev ", a.Peek(), " ...)"));
    a.Next();
    auto t = a.Need("port type (tap, internal, netdev or vxlan)");
    if (!t.ok()) return t.status();
    if (*t != "tap" && *t != "internal" && *t != "netdev" && *t != "vxlan")
      return a.Error(text::Cat("unknown port type '", *t, "'; expected one of: tap, internal, netdev, vxlan"));
    type = *t;
  }
  b.PutString(PVL_A_PORT_TYPE, type);
  std::vector<Keyword> keys = PortKeys(b);
  std::vector<uint32_t> remotes;
  bool have_vni = false;
  if (type == "vxlan") {
    std::vector<Keyword> own = VxlanKeys(b, remotes, have_vni);
    keys.insert(keys.begin(), own.begin(), own.end());
  }
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  if (type == "vxlan") {
    if (!have_vni) return a.Error("type vxlan needs vni N (0-16777215)");
    if (remotes.empty()) return a.Error("type vxlan needs remote IP (once per remote endpoint)");
    nlattr* list = b.NestStart(PVL_A_REMOTES);
    for (uint32_t r : remotes) {
      nlattr* item = b.NestStart(PVL_A_ITEM);
      b.PutIpv4(PVL_A_ADDR, r);
      b.NestEnd(item);
    }
    b.NestEnd(list);
  }
  return Finish(PVL_CMD_PORT_ADD, b, a);
}

absl::StatusOr<Command> Del(Args& a, uint32_t seq) {
  auto name = NeedPortName(a);
  if (!name.ok()) return name.status();
  if (absl::Status s = a.Done(); !s.ok()) return s;
  MessageBuilder b = NewRequest(PVL_CMD_PORT_DEL, seq, false);
  b.PutString(PVL_A_NAME, *name);
  return Finish(PVL_CMD_PORT_DEL, b, a);
}

absl::StatusOr<Command> Set(Args& a, uint32_t seq) {
  auto name = NeedPortName(a);
  if (!name.ok()) return name.status();
  if (a.empty()) return a.Error(text::Cat("nothing to set; expected KEY VALUE, KEY one of: ", KeyNames()));
  MessageBuilder b = NewRequest(PVL_CMD_PORT_SET, seq, false);
  b.PutString(PVL_A_NAME, *name);
  if (absl::Status s = ParseKeywords(a, PortKeys(b)); !s.ok()) return s;
  return Finish(PVL_CMD_PORT_SET, b, a);
}

absl::StatusOr<Command> Show(Args& a, uint32_t seq) {
  const bool all = a.empty();
  MessageBuilder b = NewRequest(PVL_CMD_PORT_GET, seq, all);
  if (!all) {
    auto name = NeedPortName(a);
    if (!name.ok()) return name.status();
    if (absl::Status s = a.Done(); !s.ok()) return s;
    b.PutString(PVL_A_NAME, *name);
  }
  return Finish(PVL_CMD_PORT_GET, b, a);
}

}  // namespace

const Object& PortObject() {
  static const Object* const kPort = new Object{
      "port",
      {
          {"add",
           "port add IFNAME | port add NAME type tap|internal|netdev [KEY VALUE ...]\n"
           "port add NAME type vxlan vni N remote IP [remote IP ...] [local IP] [dstport N] [KEY VALUE ...]",
           Add},
          {"del", "port del NAME", Del},
          {"set", "port set NAME KEY VALUE [KEY VALUE ...]", Set},
          {"show", "port show [NAME]", Show},
      },
      nullptr,
      {"  KEY VALUE: vlan 1-4094 | mode access|trunk | allowed all|none|N[-M][,...]",
       "             native N|none | isolated|learning|flood|mcast_flood|bcast_flood|hairpin on|off",
       "             source_guard off|strict|loose",
       "             mac_changes|forged_transmits|promiscuous accept|reject",
       "             mac_learning on|off | mac_limit 0-4096 | mac_limit_policy allow|drop",
       "             mac_aging SECONDS | initial_mac MAC|auto",
       "             psf auto|enabled|disabled | role bare-metal|instance|gateway",
       "             psf_liberal on|off | psf_max_entries N"},
  };
  return *kPort;
}

}  // namespace pvland::ctl::grammar
