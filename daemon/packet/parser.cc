#include "daemon/packet/parser.h"

#include "include/pvland/types.h"

namespace pvland {

std::optional<DropReason> ParseFrame(Packet& p) {
  if (p.wire_len > p.len) return DropReason::kOversize;
  if (p.len < kEthHeaderLen) return DropReason::kRunt;
  if (IsMulticastMac(p.src()) || IsZeroMac(p.src())) return DropReason::kInvalidSrcMac;

  const uint16_t outer = LoadBe16(p.frame + 12);
  if (p.aux_tag && p.aux_tpid != kEthTypeVlan) {
    p.has_inner_tag = true;
    StoreBe16(p.inner_tag, p.aux_tpid);
    StoreBe16(p.inner_tag + 2, p.aux_tci);
    p.tagged = false;
    p.tci = 0;
    p.payload_off = 12;
    p.ethertype = p.aux_tpid;
  } else if (p.aux_tag) {
    p.tagged = true;
    p.tci = p.aux_tci;
    p.payload_off = 12;
    p.ethertype = outer;
  } else if (outer == kEthTypeVlan) {
    if (p.len < kEthHeaderLen + kVlanTagLen) return DropReason::kTruncatedVlanTag;
    p.tagged = true;
    p.tci = LoadBe16(p.frame + 14);
    p.payload_off = 16;
    p.ethertype = LoadBe16(p.frame + 16);
  } else {
    p.tagged = false;
    p.tci = 0;
    p.payload_off = 12;
    p.ethertype = outer;
  }
  return std::nullopt;
}

}  // namespace pvland
