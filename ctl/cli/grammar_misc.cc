// The small objects: stats show|clear, bridge set|show, route get, neigh show proxy,
// conntrack show|flush, save [FILE].
#include "ctl/cli/args.h"
#include "ctl/cli/values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl::grammar {
namespace {

// [PORT]: one port, or every port (a dump) when absent.
absl::StatusOr<Command> OptionalPort(Args& a, uint32_t seq, uint8_t cmd, bool dump_when_all) {
  const bool all = a.empty();
  MessageBuilder b = NewRequest(cmd, seq, all && dump_when_all);
  if (!all) {
    const std::string_view name = a.Next();
    if (absl::Status s = CheckIfName(name); !s.ok()) return a.Wrap(s);
    if (absl::Status s = a.Done(); !s.ok()) return s;
    b.PutString(PVL_A_NAME, name);
  }
  return Finish(cmd, b, a);
}

absl::StatusOr<Command> StatsShow(Args& a, uint32_t seq) {
  return OptionalPort(a, seq, PVL_CMD_STATS_GET, true);
}
absl::StatusOr<Command> StatsClear(Args& a, uint32_t seq) {
  return OptionalPort(a, seq, PVL_CMD_STATS_CLEAR, false);
}

absl::StatusOr<Command> BridgeSet(Args& a, uint32_t seq) {
  constexpr uint64_t kMaxAgeing = 1000000;  // the range the daemon accepts
  MessageBuilder b = NewRequest(PVL_CMD_BRIDGE_SET, seq, false);
  if (a.empty()) return a.Error("nothing to set; expected ageing_time SECONDS or psf_max_total N");
  const Keyword keys[] = {{"ageing_time", true,
                           [&b](std::string_view v) -> absl::Status {
                             auto secs = ParseUint(v, 0, kMaxAgeing, "ageing_time");
                             if (!secs.ok()) return secs.status();
                             b.PutU32(PVL_A_AGEING_TIME, static_cast<uint32_t>(*secs));
                             return absl::OkStatus();
                           }},
                          {"psf_max_total", true, [&b](std::string_view v) -> absl::Status {
                             auto n = ParseUint(v, 1, 1u << 24, "psf_max_total");
                             if (!n.ok()) return n.status();
                             b.PutU32(PVL_A_PSF_MAX_TOTAL, static_cast<uint32_t>(*n));
                             return absl::OkStatus();
                           }}};
  if (absl::Status s = ParseKeywords(a, keys); !s.ok()) return s;
  return Finish(PVL_CMD_BRIDGE_SET, b, a);
}

absl::StatusOr<Command> BridgeShow(Args& a, uint32_t seq) {
  if (absl::Status s = a.Done(); !s.ok()) return s;
  return Finish(PVL_CMD_BRIDGE_GET, NewRequest(PVL_CMD_BRIDGE_GET, seq, false), a);
}

absl::StatusOr<Command> RouteGet(Args& a, uint32_t seq) {
  auto w = a.Need("ADDR");
  if (!w.ok()) return w.status();
  auto addr = ParseIpv4(*w);
  if (!addr.ok()) return a.Wrap(addr.status());
  if (absl::Status s = a.Done(); !s.ok()) return s;
  MessageBuilder b = NewRequest(PVL_CMD_ROUTE_GET, seq, false);
  b.PutIpv4(PVL_A_ADDR, *addr);
  return Finish(PVL_CMD_ROUTE_GET, b, a);
}

absl::StatusOr<Command> NeighShow(Args& a, uint32_t seq) {
  auto w = a.Need("proxy");
  if (!w.ok()) return w.status();
  if (*w != "proxy") return a.Error(text::Cat("unknown word '", *w, "'; expected proxy"));
  if (absl::Status s = a.Done(); !s.ok()) return s;
  return Finish(PVL_CMD_NEIGH_PROXY_GET, NewRequest(PVL_CMD_NEIGH_PROXY_GET, seq, true), a);
}

absl::StatusOr<Command> ConntrackShow(Args& a, uint32_t seq) {
  return OptionalPort(a, seq, PVL_CMD_CONNTRACK_GET, true);
}
absl::StatusOr<Command> ConntrackFlush(Args& a, uint32_t seq) {
  return OptionalPort(a, seq, PVL_CMD_CONNTRACK_FLUSH, false);
}

// save [FILE]: the daemon's running configuration as commands; pvlanctl writes them.
absl::StatusOr<Command> Save(Args& a, uint32_t seq) {
  std::string file;
  if (!a.empty()) {
    file = std::string(a.Next());
    if (file.empty() || file.starts_with("-"))
      return a.Error(text::Cat("expected a file name, got '", file, "' (save writes to standard output without one)"));
  }
  if (absl::Status s = a.Done(); !s.ok()) return s;
  auto cmd = Finish(PVL_CMD_CONFIG_GET, NewRequest(PVL_CMD_CONFIG_GET, seq, true), a);
  if (cmd.ok()) cmd->write_to = std::move(file);
  return cmd;
}

}  // namespace

const Object& SaveObject() {
  static const Object* const kSave = new Object{
      "save",
      {},
      Save,
      {"save [FILE]",
       "  the running configuration as the commands that rebuild it (pvland -c FILE):",
       "  ports (VXLAN ones with their remotes), VLANs, static FDB entries, bridge",
       "  settings, sysctls and mirror sessions; FILE is replaced whole, or the commands",
       "  go to standard output"}};
  return *kSave;
}

const Object& ConntrackObject() {
  static const Object* const kConntrack = new Object{
      "conntrack",
      {{"show", "conntrack show [PORT]", ConntrackShow}, {"flush", "conntrack flush [PORT]", ConntrackFlush}},
      nullptr,
      {"  the TCP connections protocol state filtering tracks (ports with psf enabled)"}};
  return *kConntrack;
}

const Object& StatsObject() {
  static const Object* const kStats = new Object{
      "stats",
      {{"show", "stats show [PORT]", StatsShow}, {"clear", "stats clear [PORT]", StatsClear}},
      nullptr,
      {}};
  return *kStats;
}

const Object& BridgeObject() {
  static const Object* const kBridge = new Object{
      "bridge",
      {{"set", "bridge set [ageing_time SECONDS] [psf_max_total N]", BridgeSet}, {"show", "bridge show", BridgeShow}},
      nullptr,
      {"  SECONDS: 0-1000000; N: 1-16777216, the connections psf may track on all ports together"}};
  return *kBridge;
}

const Object& RouteObject() {
  static const Object* const kRoute = new Object{
      "route", {{"get", "route get ADDR", RouteGet}}, nullptr, {"  ADDR: IPv4 address"}};
  return *kRoute;
}

const Object& NeighObject() {
  static const Object* const kNeigh = new Object{
      "neigh", {{"show", "neigh show proxy", NeighShow}}, nullptr, {}};
  return *kNeigh;
}

}  // namespace pvland::ctl::grammar
