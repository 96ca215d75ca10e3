// Text back end: one small formatter per show command, in the shape of `ip`/`bridge`
// output, each ending with the generic " key value" pairs of any attribute it does not
// know, so a newer daemon's extra attributes are still shown.
#include <algorithm>
#include <initializer_list>
#include <string>

#include "absl/strings/str_format.h"
#include "ctl/cli/frame_summary.h"
#include "ctl/cli/printer_internal.h"
#include "ctl/cli/values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl::printer {
namespace {

std::string NestText(const nlattr* a);

// " key value" (or " key { ... }" for a nest) for every attribute not in `skip`.
std::string Pairs(const AttrView& v, std::initializer_list<uint16_t> skip = {}) {
  std::string s;
  for (const nlattr* a : v.ordered()) {
    if (std::find(skip.begin(), skip.end(), Type(a)) != skip.end()) continue;
    const std::string value = Kind(a) == PVL_K_NEST ? NestText(a) : ScalarText(a);
    text::Append(&s, " ", Attr(Type(a)).key, " ", value);
  }
  return s;
}

// Lists as "{ k v } { k v }", sub-records as "{ k v }": only for attributes that have no
// formatter of their own.
std::string NestText(const nlattr* a) {
  auto sub = NestView(a);
  if (!sub.ok()) return "{ ? }";
  std::string s;
  bool list = false;
  for (const nlattr* c : sub->ordered()) {
    if (Type(c) != PVL_A_ITEM) continue;
    list = true;
    auto item = NestView(c);
    text::Append(&s, s.empty() ? "" : " ", "{", item.ok() ? Pairs(*item) : " ?", " }");
  }
  if (!list) s = text::Cat("{", Pairs(*sub), " }");
  return s;
}

// Returns " KEYWORD value" when `type` is present, else "".
std::string Opt(const AttrView& v, std::string_view keyword, uint16_t type) {
  const nlattr* a = v.Raw(type);
  if (a == nullptr) return "";
  return text::Cat(" ", keyword, " ", ScalarText(a));
}

std::string Str(const AttrView& v, uint16_t type) {
  const nlattr* a = v.Raw(type);
  return a == nullptr ? "?" : ScalarText(a);
}

// p1 type netdev ifindex 5 state up mac .. mode access vlan 1 ... pvlan none
void Port(const AttrView& v, std::ostream& out) {
  std::string line = Str(v, PVL_A_NAME);
  for (const nlattr* a : v.ordered()) {
    const uint16_t t = Type(a);
    if (t == PVL_A_NAME) continue;
    // 0 is the wire's "no native VLAN"; print it as the word the grammar takes back.
    if (t == PVL_A_NATIVE && v.U16(t) == 0) {
      text::Append(&line, " native none");
      continue;
    }
    text::Append(&line, " ", Attr(t).key, " ", Kind(a) == PVL_K_NEST ? NestText(a) : ScalarText(a));
  }
  out << line << "\n";
}

// vlan 101 pvlan isolated primary 100
//     p3 untagged
void Vlan(const AttrView& v, std::ostream& out) {
  out << "vlan " << Str(v, PVL_A_VLAN) << Opt(v, "pvlan", PVL_A_PVLAN_TYPE)
      << Opt(v, "primary", PVL_A_PRIMARY)
      << Pairs(v, {PVL_A_VLAN, PVL_A_PVLAN_TYPE, PVL_A_PRIMARY, PVL_A_PORTS}) << "\n";
  auto ports = v.Items(PVL_A_PORTS);
  if (!ports.ok()) return;
  for (const AttrView& p : *ports) {
    out << "    " << Str(p, PVL_A_NAME) << (p.Has(PVL_A_MODE) ? " " + Str(p, PVL_A_MODE) : "")
        << Pairs(p, {PVL_A_NAME, PVL_A_MODE}) << "\n";
  }
}

// 02:00:00:00:00:01 vlan 1 port p1 dynamic age 12.3s
void Fdb(const AttrView& v, std::ostream& out) {
  out << Str(v, PVL_A_MAC) << Opt(v, "vlan", PVL_A_VLAN) << Opt(v, "port", PVL_A_PORT);
  if (v.Has(PVL_A_FDB_KIND)) out << " " << Str(v, PVL_A_FDB_KIND);
  // A static entry does not age, whatever the daemon reports for it.
  if (auto ms = v.U64(PVL_A_AGE_MS); ms && v.String(PVL_A_FDB_KIND) != "static")
    out << absl::StrFormat(" age %d.%ds", *ms / 1000, *ms % 1000 / 100);
  out << Pairs(v, {PVL_A_MAC, PVL_A_VLAN, PVL_A_PORT, PVL_A_FDB_KIND, PVL_A_AGE_MS}) << "\n";
}

// p1
//     rx packets 10 bytes 1200
//     tx packets 5 bytes 600
//     drop isolated 3
//     arp proxy_reply 2        (internal ports: the ARP verdicts they decided)
void Stats(const AttrView& v, std::ostream& out) {
  std::string indent;
  if (v.Has(PVL_A_NAME)) {
    out << Str(v, PVL_A_NAME) << "\n";
    indent = "    ";
  }
  out << indent << "rx" << Opt(v, "packets", PVL_A_RX_PACKETS) << Opt(v, "bytes", PVL_A_RX_BYTES)
      << "\n";
  out << indent << "tx" << Opt(v, "packets", PVL_A_TX_PACKETS) << Opt(v, "bytes", PVL_A_TX_BYTES)
      << "\n";
  const std::string rest = Pairs(v, {PVL_A_NAME, PVL_A_RX_PACKETS, PVL_A_RX_BYTES,
                                     PVL_A_TX_PACKETS, PVL_A_TX_BYTES, PVL_A_DROPS, PVL_A_ARP});
  if (!rest.empty()) out << indent << rest.substr(1) << "\n";
  for (auto [attr, word] : {std::pair{PVL_A_DROPS, "drop "}, {PVL_A_ARP, "arp "}}) {
    auto items = v.Items(attr);
    if (!items.ok()) continue;
    for (const AttrView& d : *items)
      out << indent << word << Str(d, PVL_A_REASON) << " " << Str(d, PVL_A_COUNT) << "\n";
  }
}

// net.ipv4.conf.all.rp_filter = 1, as sysctl(8) prints it; `-n` keeps only the value.
void Sysctl(const AttrView& v, bool value_only, std::ostream& out) {
  if (value_only) {
    out << Str(v, PVL_A_VALUE) << "\n";
    return;
  }
  out << Str(v, PVL_A_KEY) << " = " << Str(v, PVL_A_VALUE) << "\n";
}

std::string TableName(uint32_t id) {
  // The names iproute2 gives the reserved tables (rt_tables).
  switch (id) {
    case 253: return "default";
    case 254: return "main";
    case 255: return "local";
    default: return text::Cat(id);
  }
}

// 10.1.2.3 via 10.0.0.1 dev r1 table main type unicast prefix 10.1.0.0/16 metric 0
void Route(const AttrView& v, std::ostream& out) {
  out << Str(v, PVL_A_ADDR) << Opt(v, "via", PVL_A_GATEWAY) << Opt(v, "dev", PVL_A_DEV)
      << Opt(v, "src", PVL_A_PREFSRC);
  if (auto t = v.U32(PVL_A_TABLE)) out << " table " << TableName(*t);
  out << Opt(v, "type", PVL_A_ROUTE_TYPE) << Opt(v, "prefix", PVL_A_PREFIX)
      << Opt(v, "metric", PVL_A_METRIC)
      << Pairs(v, {PVL_A_ADDR, PVL_A_GATEWAY, PVL_A_DEV, PVL_A_PREFSRC, PVL_A_TABLE,
                   PVL_A_ROUTE_TYPE, PVL_A_PREFIX, PVL_A_METRIC})
      << "\n";
}

// 10.0.2.50 dev gw0 proxy, as `ip neigh show proxy` prints an entry (no dev: any device).
void ProxyEntry(const AttrView& v, std::ostream& out) {
  out << Str(v, PVL_A_ADDR) << Opt(v, "dev", PVL_A_DEV) << " proxy" << Pairs(v, {PVL_A_ADDR, PVL_A_DEV}) << "\n";
}

// 12:00:01.123456 p2 from p1 02:00:00:00:00:01 > 02:00:00:00:00:02 ipv4 ... len 98
//     isolated_port on p2: RULE [DECIDED_BY]; would pass with FIX
void Why(const AttrView& v, std::ostream& out) {
  const auto frame = v.Binary(PVL_A_FRAME).value_or(absl::Span<const uint8_t>());
  out << FormatTimeOfDay(v.U64(PVL_A_TIME_NS).value_or(0)) << " " << Str(v, PVL_A_PORT)
      << (v.Has(PVL_A_IN_PORT) ? " from " + Str(v, PVL_A_IN_PORT) : "") << " "
      << Summarize(frame, v.U32(PVL_A_WIRE_LEN).value_or(0)).text << "\n";
  out << "    " << Str(v, PVL_A_REASON) << " on " << Str(v, PVL_A_PORT) << ": " << Str(v, PVL_A_RULE);
  if (v.Has(PVL_A_DECIDED_BY)) out << " [" << Str(v, PVL_A_DECIDED_BY) << "]";
  if (v.Has(PVL_A_FIX)) out << "; would pass with " << Str(v, PVL_A_FIX);
  out << "\n";
}

// drops [port p2] [filtered] sent 12 lost 0 | port p3 filtered sent 2 lost 0
void Subscriber(const AttrView& v, std::ostream& out) {
  const bool drops = v.String(PVL_A_STREAM) == "drops";
  out << (drops ? "drops" : "capture") << Opt(v, "port", PVL_A_PORT) << (v.Bool(PVL_A_FILTER_SET).value_or(false) ? " filtered" : "")
      << Opt(v, "sent", PVL_A_SENT) << Opt(v, "lost", PVL_A_LOST)
      << Pairs(v, {PVL_A_STREAM, PVL_A_PORT, PVL_A_FILTER_SET, PVL_A_SENT, PVL_A_LOST}) << "\n";
}

// save: the command itself, as `pvland -c` and `pvlanctl -b` read it.
void ConfigLine(const AttrView& v, std::ostream& out) { out << Str(v, PVL_A_LINE) << "\n"; }
// s1 source p1 direction both target 192.0.2.9 dstport 4789 vni 4242 number 1 [length 100]
//     tx_packets 4 tx_bytes 392 lost 0 truncated 0 segmentation_errors 0 [target_error ENETUNREACH]
//     rule 10 accept direction egress protocol tcp src 10.0.0.0/8 dport 80 hits 2
// The session and rule lines use the words `mirror add` and `mirror rule add` take.
void Mirror(const AttrView& v, std::ostream& out) {
  static constexpr std::initializer_list<uint16_t> kCounters = {
      PVL_A_TX_PACKETS, PVL_A_TX_BYTES, PVL_A_LOST, PVL_A_TRUNCATED, PVL_A_SEG_ERRORS, PVL_A_TARGET_ERROR};
  out << Str(v, PVL_A_NAME) << Opt(v, "source", PVL_A_SOURCE) << Opt(v, "direction", PVL_A_MIRROR_DIR)
      << Opt(v, "target", PVL_A_TARGET) << Opt(v, "dstport", PVL_A_DSTPORT) << Opt(v, "vni", PVL_A_VNI)
      << Opt(v, "number", PVL_A_NUMBER) << Opt(v, "length", PVL_A_PACKET_LENGTH)
      << Pairs(v, {PVL_A_NAME, PVL_A_SOURCE, PVL_A_MIRROR_DIR, PVL_A_TARGET, PVL_A_DSTPORT, PVL_A_VNI,
                   PVL_A_NUMBER, PVL_A_PACKET_LENGTH, PVL_A_RULES, PVL_A_TX_PACKETS, PVL_A_TX_BYTES, PVL_A_LOST,
                   PVL_A_TRUNCATED, PVL_A_SEG_ERRORS, PVL_A_TARGET_ERROR})
      << "\n";
  std::string counters;
  for (uint16_t t : kCounters) counters += Opt(v, Attr(t).key, t);
  if (!counters.empty()) out << "    " << counters.substr(1) << "\n";
  auto rules = v.Items(PVL_A_RULES);
  if (!rules.ok() || rules->empty()) {
    out << "    no rules: mirrors nothing\n";
    return;
  }
  for (const AttrView& r : *rules) {
    out << "    rule " << Str(r, PVL_A_NUMBER) << " " << Str(r, PVL_A_ACTION) << Opt(r, "direction", PVL_A_MIRROR_DIR)
        << Opt(r, "protocol", PVL_A_PROTOCOL) << Opt(r, "src", PVL_A_SRC) << Opt(r, "dst", PVL_A_DST)
        << Opt(r, "sport", PVL_A_SPORT) << Opt(r, "dport", PVL_A_DPORT) << Opt(r, "hits", PVL_A_HITS)
        << Pairs(r, {PVL_A_NUMBER, PVL_A_ACTION, PVL_A_MIRROR_DIR, PVL_A_PROTOCOL, PVL_A_SRC, PVL_A_DST, PVL_A_SPORT,
                     PVL_A_DPORT, PVL_A_HITS})
        << "\n";
  }
}

// Anything else (bridge show, records of commands added later): one "key value" line.
void Generic(const AttrView& v, std::ostream& out) {
  const std::string s = Pairs(v);
  out << (s.empty() ? s : s.substr(1)) << "\n";
}

}  // namespace

void PrintText(const Command& c, const Reply& r, std::ostream& out) {
  if (c.cmd == PVL_CMD_CONFIG_GET && r.error == 0)
    out << "# pvland configuration, written by pvlanctl save; restore with pvland -c FILE\n";
  for (const Message& m : r.records) {
    auto view = m.Attrs();
    if (!view.ok()) {
      out << "(undecodable record: " << view.status().message() << ")\n";
      continue;
    }
    switch (m.cmd) {
      case PVL_CMD_PORT_GET: Port(*view, out); break;
      case PVL_CMD_VLAN_GET: Vlan(*view, out); break;
      case PVL_CMD_FDB_GET: Fdb(*view, out); break;
      case PVL_CMD_STATS_GET: Stats(*view, out); break;
      case PVL_CMD_SYSCTL_GET: Sysctl(*view, c.value_only, out); break;
      case PVL_CMD_ROUTE_GET: Route(*view, out); break;
      case PVL_CMD_NEIGH_PROXY_GET: ProxyEntry(*view, out); break;
      case PVL_CMD_WHY_GET: Why(*view, out); break;
      case PVL_CMD_MONITOR_GET: Subscriber(*view, out); break;
      case PVL_CMD_CONFIG_GET: ConfigLine(*view, out); break;
      case PVL_CMD_MIRROR_GET: Mirror(*view, out); break;
      default: Generic(*view, out); break;
    }
  }
}

}  // namespace pvland::ctl::printer
