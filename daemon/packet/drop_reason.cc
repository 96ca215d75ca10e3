#include "daemon/packet/drop_reason.h"

#include <algorithm>
#include <iterator>

namespace pvland {

std::string_view DropReasonName(DropReason r) {
  static constexpr std::string_view kNames[] = {
#define PVL_DROP_NAME(id, name) name,
      PVL_DROP_REASONS(PVL_DROP_NAME)
#undef PVL_DROP_NAME
  };
  int i = static_cast<int>(r);
  return i < kDropReasonCount ? kNames[i] : std::string_view("unknown");
}

}  // namespace pvland

namespace pvland {
namespace {

constexpr std::string_view kArpVerdictNames[] = {
#define PVL_ARP_VERDICT_NAME(id, name) name,
    PVL_ARP_VERDICTS(PVL_ARP_VERDICT_NAME)
#undef PVL_ARP_VERDICT_NAME
};

}  // namespace

std::string_view ArpVerdictName(ArpVerdict v) {
  const int i = static_cast<int>(v);
  return i < kArpVerdictCount ? kArpVerdictNames[i] : std::string_view("unknown");
}

std::optional<ArpVerdict> ArpVerdictByName(std::string_view name) {
  // The list is in name order: a binary search, no hashing and no allocation per request.
  const std::string_view* begin = std::begin(kArpVerdictNames);
  const std::string_view* end = std::end(kArpVerdictNames);
  const std::string_view* it = std::lower_bound(begin, end, name);
  if (it == end || *it != name) return std::nullopt;
  return static_cast<ArpVerdict>(it - begin);
}

}  // namespace pvland
