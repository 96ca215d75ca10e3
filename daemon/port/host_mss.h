// The MSS each host on this side of a tunnel announced in its last TCP SYN or SYN-ACK,
// learned from the frames that leave through the tunnel port. It sizes the segments of
// a TCP super-frame that arrives from the tunnel without its segment size
// (daemon/packet/lost_offload.h): cut to what the destination said it takes, a
// super-frame fits it whatever the sender would have cut.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "daemon/packet/packet.h"
#include "daemon/psf/tcp_segment.h"

namespace pvland {

// Keyed by psf's TCP segment reader's addresses (daemon/psf/tcp_segment.h: IPv4 mapped
// into 16 bytes), which also walks the options.
class HostMssTable {
 public:
  // Beyond this many hosts the table starts again empty: a host not in it gets the
  // protocol's default MSS, which every receiver takes.
  static constexpr size_t kMaxHosts = 4096;

  // A parsed TCP SYN or SYN-ACK with an MSS option: its source announced that MSS.
  // Anything else is ignored.
  void Learn(const Packet& p);
  // The MSS the destination of the parsed TCP frame `p` announced last, else the default
  // for its IP version (kDefaultMssIpv4, kDefaultMssIpv6).
  uint16_t For(const Packet& p) const;
  size_t size() const { return table_.size(); }

 private:
  absl::flat_hash_map<psf::IpAddr, uint16_t> table_;
};

}  // namespace pvland
