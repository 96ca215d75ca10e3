// fdb show | add | del | flush.
#include <vector>

#include "ctl/cli/args.h"
#include "ctl/cli/values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl::grammar {
namespace {

Keyword PortKey(MessageBuilder& b, bool* seen = nullptr) {
  return {"port", true, [&b, seen](std::string_view v) -> absl::Status {
            if (absl::Status s = CheckIfName(v); !s.ok()) return s;
            b.PutString(PVL_A_PORT, v);
            if (seen != nullptr) *seen = true;
            return absl::OkStatus();
          }};
}

Keyword VlanKey(MessageBuilder& b) {
  return {"vlan", true, [&b](std::string_view v) -> absl::Status {
            auto vid = ParseVlanId(v, "vlan");
            if (!vid.ok()) return vid.status();
            b.PutU16(PVL_A_VLAN, *vid);
            return absl::OkStatus();
          }};
}

// A static entry names one station; a group address is never a frame's source, so an
// entry for it could not be learned or aged like the others and would only shadow
// flooding. The kernel bridge refuses both cases too.
absl::StatusOr<MacAddr> NeedStationMac(Args& a) {
  auto w = a.Need("MAC");
  if (!w.ok()) return w.status();
  auto mac = ParseMac(*w);
  if (!mac.ok()) return a.Wrap(mac.status());
  if (IsMulticastMac(mac->data()))
    return a.Error(text::Cat(FormatMac(*mac),
                                " is a group (multicast/broadcast) address; FDB entries take unicast MACs"));
  if (*mac == MacAddr{})
    return a.Error("00:00:00:00:00:00 is not a station address");
  return *mac;
}

absl::StatusOr<Command> Show(Args& a, uint32_t seq) {
  MessageBuilder b = NewRequest(PVL_CMD_FDB_GET, seq, true);
  const Keyword keys[] = {PortKey(b), VlanKey(b)};
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  return Finish(PVL_CMD_FDB_GET, b, a);
}

absl::StatusOr<Command> Add(Args& a, uint32_t seq) {
  auto mac = NeedStationMac(a);
  if (!mac.ok()) return mac.status();
  MessageBuilder b = NewRequest(PVL_CMD_FDB_ADD, seq, false);
  b.PutMac(PVL_A_MAC, mac->data());
  bool have_port = false;
  const Keyword keys[] = {PortKey(b, &have_port), VlanKey(b)};
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  if (!have_port) return a.Error("missing 'port P': a static entry needs the port it points to");
  return Finish(PVL_CMD_FDB_ADD, b, a);
}

absl::StatusOr<Command> Del(Args& a, uint32_t seq) {
  auto mac = NeedStationMac(a);
  if (!mac.ok()) return mac.status();
  MessageBuilder b = NewRequest(PVL_CMD_FDB_DEL, seq, false);
  b.PutMac(PVL_A_MAC, mac->data());
  const Keyword keys[] = {VlanKey(b)};
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  return Finish(PVL_CMD_FDB_DEL, b, a);
}

absl::StatusOr<Command> Flush(Args& a, uint32_t seq) {
  MessageBuilder b = NewRequest(PVL_CMD_FDB_FLUSH, seq, false);
  bool dynamic_only = false;
  const Keyword keys[] = {PortKey(b), VlanKey(b),
                          {"dynamic", false, [&dynamic_only](std::string_view) {
                             dynamic_only = true;
                             return absl::OkStatus();
                           }}};
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  // Always explicit, so the daemon never has to pick a default for a destructive verb.
  b.PutString(PVL_A_FLUSH_WHAT, dynamic_only ? "dynamic" : "all");
  return Finish(PVL_CMD_FDB_FLUSH, b, a);
}

}  // namespace

const Object& FdbObject() {
  static const Object* const kFdb = new Object{
      "fdb",
      {
          {"show", "fdb show [port P] [vlan V]", Show},
          {"add", "fdb add MAC port P [vlan V]", Add},
          {"del", "fdb del MAC [vlan V]", Del},
          {"flush", "fdb flush [port P] [vlan V] [dynamic]", Flush},
      },
      nullptr,
      {"  MAC: unicast aa:bb:cc:dd:ee:ff; V: 1-4094"},
  };
  return *kFdb;
}

}  // namespace pvland::ctl::grammar
