#include "daemon/mirror/rule.h"

#include "absl/strings/str_cat.h"
#include "daemon/packet/parser.h"

static_assert(pvland::kIpProtoTcp == 6 && pvland::kIpProtoUdp == 17, "IpFactsOf's protocol numbers");

namespace pvland::mirror {

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
