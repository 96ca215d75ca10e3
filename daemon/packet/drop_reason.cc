#include "daemon/packet/drop_reason.h"

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
