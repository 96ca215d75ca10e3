#include "daemon/mirror/encap.h"

#include <algorithm>

#include "daemon/packet/parser.h"

namespace pvland::mirror {

void Encapsulator::Build(Sessions& sessions, absl::Span<const Copy> copies) {
  frames_.Clear();
  out_.clear();
  for (const Copy& c : copies) {
    Session* s = sessions.at(c.session);
    if (s == nullptr) continue;  // deleted between the run and now: cannot happen, costs nothing
    tx_bytes_.clear();
    AppendTxBytes(c.item, tx_bytes_);
    const size_t first = frames_.size();
    if (!AppendWireFrames(tx_bytes_, c.item.offload, frames_).ok()) {
      ++s->counters.seg_errors;
      continue;
    }
    // Every segment of one super-frame belongs to one flow: one source port for all.
    const uint16_t sport = VxlanSourcePort(*c.item.pkt);
    for (size_t i = first; i < frames_.size(); ++i) {
      uint32_t inner = frames_.len(i);
      if (s->length != 0 && inner > s->length) {
        inner = s->length;
        ++s->counters.truncated;
      }
      uint8_t* d = frames_.with_headroom(i);
      const uint32_t len = static_cast<uint32_t>(kEncapHeadroom) + inner;
      StoreBe16(d, sport);
      StoreBe16(d + 2, s->dstport);
      StoreBe16(d + 4, static_cast<uint16_t>(std::min<uint32_t>(len, 0xffff)));
      StoreBe16(d + 6, 0);
      WriteVxlanHeader(d + kUdpHeaderLen, s->vni);
      out_.push_back({c.session, s->target, i, len, inner});
    }
  }
}

}  // namespace pvland::mirror
