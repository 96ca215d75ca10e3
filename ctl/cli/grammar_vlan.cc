// vlan add | del | show, including the private-VLAN roles of RFC 5517.
#include "ctl/cli/args.h"
#include "ctl/cli/values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl::grammar {
namespace {

absl::StatusOr<uint16_t> NeedVid(Args& a) {
  auto w = a.Need("VID");
  if (!w.ok()) return w.status();
  auto vid = ParseVlanId(*w, "vlan");
  if (!vid.ok()) return a.Wrap(vid.status());
  return *vid;
}

// [pvlan primary | pvlan isolated primary P | pvlan community primary P]
absl::Status ParsePvlan(Args& a, uint16_t vid, MessageBuilder& b) {
  if (a.empty()) return absl::OkStatus();
  if (a.Peek() != "pvlan")
    return a.Error(text::Cat("expected 'pvlan' after ", vid, ", got '", a.Peek(), "'"));
  a.Next();
  auto type = a.Need("pvlan type (primary, isolated or community)");
  if (!type.ok()) return type.status();
  if (*type == "primary") {
    b.PutString(PVL_A_PVLAN_TYPE, *type);
    return a.Done();
  }
  if (*type != "isolated" && *type != "community")
    return a.Error(text::Cat("unknown pvlan type '", *type,
                                "'; expected one of: primary, isolated, community"));
  // A secondary VLAN means nothing without the primary it belongs to.
  if (a.Peek() != "primary") {
    if (a.empty()) return a.Error(text::Cat("missing 'primary P' after pvlan ", *type));
    return a.Error(text::Cat("expected 'primary P' after pvlan ", *type, ", got '", a.Peek(), "'"));
  }
  a.Next();
  auto w = a.Need("primary VLAN after 'primary'");
  if (!w.ok()) return w.status();
  auto primary = ParseVlanId(*w, "primary");
  if (!primary.ok()) return a.Wrap(primary.status());
  if (*primary == vid)
    return a.Error(text::Cat("vlan ", vid, " cannot be its own primary"));
  b.PutString(PVL_A_PVLAN_TYPE, *type);
  b.PutU16(PVL_A_PRIMARY, *primary);
  return a.Done();
}

absl::StatusOr<Command> Add(Args& a, uint32_t seq) {
  auto vid = NeedVid(a);
  if (!vid.ok()) return vid.status();
  MessageBuilder b = NewRequest(PVL_CMD_VLAN_ADD, seq, false);
  b.PutU16(PVL_A_VLAN, *vid);
  if (absl::Status s = ParsePvlan(a, *vid, b); !s.ok()) return s;
  return Finish(PVL_CMD_VLAN_ADD, b, a);
}

absl::StatusOr<Command> Del(Args& a, uint32_t seq) {
  auto vid = NeedVid(a);
  if (!vid.ok()) return vid.status();
  if (absl::Status s = a.Done(); !s.ok()) return s;
  MessageBuilder b = NewRequest(PVL_CMD_VLAN_DEL, seq, false);
  b.PutU16(PVL_A_VLAN, *vid);
  return Finish(PVL_CMD_VLAN_DEL, b, a);
}

absl::StatusOr<Command> Show(Args& a, uint32_t seq) {
  const bool all = a.empty();
  MessageBuilder b = NewRequest(PVL_CMD_VLAN_GET, seq, all);
  if (!all) {
    auto vid = NeedVid(a);
    if (!vid.ok()) return vid.status();
    if (absl::Status s = a.Done(); !s.ok()) return s;
    b.PutU16(PVL_A_VLAN, *vid);
  }
  return Finish(PVL_CMD_VLAN_GET, b, a);
}

}  // namespace

const Object& VlanObject() {
  static const Object* const kVlan = new Object{
      "vlan",
      {
          {"add", "vlan add VID [pvlan primary | pvlan isolated|community primary P]", Add},
          {"del", "vlan del VID", Del},
          {"show", "vlan show [VID]", Show},
      },
      nullptr,
      {"  VID, P: 1-4094"},
  };
  return *kVlan;
}

}  // namespace pvland::ctl::grammar
