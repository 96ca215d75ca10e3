// A frame a mirror session took: the frame as it is on the source port's wire (its tag
// as on that wire, its offload state with offsets to match) and the session that took
// it. The pipeline appends them to a per-run list; the dataplane's sender encapsulates
// and sends them after the run's frames went out, before the batch's memory is released.
#pragma once

#include <cstdint>
#include <vector>

#include "daemon/packet/tx_list.h"

namespace pvland::mirror {

struct Copy {
  TxItem item;
  uint32_t session = 0;  // Sessions slot id
};

using Copies = std::vector<Copy>;

}  // namespace pvland::mirror
