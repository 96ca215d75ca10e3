#include "daemon/port/host_mss.h"

#include "daemon/packet/lost_offload.h"
#include "daemon/packet/parser.h"

namespace pvland {

void HostMssTable::Learn(const Packet& p) {
  // Called for every frame leaving through the port: one test for all but SYNs.
  if (p.ip_proto != kIpProtoTcp || !p.l4_valid() || (p.l4_header()[13] & psf::kTcpSyn) == 0) return;
  psf::TcpSegment seg;
  if (psf::ReadTcpSegment(p, seg) != psf::SegmentStatus::kOk || !seg.has(psf::kTcpSyn) || !seg.has_mss ||
      seg.mss == 0)
    return;
  if (table_.size() >= kMaxHosts && !table_.contains(seg.src)) table_.clear();
  table_[seg.src] = seg.mss;
}

uint16_t HostMssTable::For(const Packet& p) const {
  psf::TcpSegment seg;
  if (psf::ReadTcpSegment(p, seg) == psf::SegmentStatus::kOk) {
    if (auto it = table_.find(seg.dst); it != table_.end()) return it->second;
  }
  return p.l3() == L3Kind::kIpv6 ? kDefaultMssIpv6 : kDefaultMssIpv4;
}

}  // namespace pvland
