#include "daemon/mirror/rule.h"

#include "absl/strings/str_cat.h"
#include "daemon/packet/parser.h"

namespace pvland::mirror {

std::optional<FlowFacts> FactsOf(const Packet& p) {
  const L3Kind l3 = p.l3();
  if (l3 != L3Kind::kIpv4 && l3 != L3Kind::kIpv6) return std::nullopt;
  FlowFacts f;
  const uint8_t* ip = p.l3_header();
  f.v6 = l3 == L3Kind::kIpv6;
  f.src = f.v6 ? ip + 8 : ip + 12;
  f.dst = f.v6 ? ip + 24 : ip + 16;
  f.proto = p.ip_proto;
  // The parser sets kL4Valid only for a whole header in a first (or only) fragment.
  if ((f.proto == kIpProtoTcp || f.proto == kIpProtoUdp) && p.l4_valid()) {
    f.has_ports = true;
    f.sport = LoadBe16(p.l4_header());
    f.dport = LoadBe16(p.l4_header() + 2);
  }
  return f;
}

absl::Status Rule::Check() const {
  if (number < 1 || number > kMirrorNumberMax)
    return absl::InvalidArgumentError(absl::StrCat("rule number must be 1-", kMirrorNumberMax));
  return CheckMirrorRuleFields(protocol, src, dst, sport.has_value() || dport.has_value());
}

bool Matches(const Rule& r, const FlowFacts& f) {
  if (r.protocol && *r.protocol != f.proto) return false;
  if (r.src && !r.src->Contains(f.v6, f.src)) return false;
  if (r.dst && !r.dst->Contains(f.v6, f.dst)) return false;
  if (r.sport || r.dport) {
    if (!f.has_ports) return false;
    if (r.sport && !r.sport->Contains(f.sport)) return false;
    if (r.dport && !r.dport->Contains(f.dport)) return false;
  }
  return true;
}

}  // namespace pvland::mirror
