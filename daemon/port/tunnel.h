// What `port show` and `fdb show` say about a port that is one end of a tunnel (a VXLAN
// port) rather than a local interface: its identifier, the remote endpoints it sends to,
// and which remote a station was last seen behind, as `bridge fdb show` prints `dst` for
// an entry on a kernel vxlan device. Ports that are local interfaces have none of this
// (Port::tunnel() is null).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "include/pvland/types.h"

namespace pvland {

// One configured remote endpoint and what went to it and came from it.
struct TunnelRemote {
  uint32_t addr = 0;  // IPv4, host order
  uint64_t rx_packets = 0, rx_bytes = 0;
  uint64_t tx_packets = 0, tx_bytes = 0;
  uint64_t tx_errors = 0;  // datagrams the kernel refused to send there
};

struct TunnelInfo {
  uint32_t vni = 0;
  uint32_t local = 0;  // IPv4 host order; 0: any address of pvland's namespace
  uint16_t dstport = 0;
  std::vector<TunnelRemote> remotes;
  uint32_t learned = 0;         // stations whose remote is known now (not aged out)
  uint64_t learn_refused = 0;   // stations not learned: the table was full
};

class Tunnel {
 public:
  virtual ~Tunnel() = default;
  virtual TunnelInfo Info() const = 0;
  // The remote endpoint (IPv4, host order) frames from `mac` last came from; nullopt when
  // unknown or aged out.
  virtual std::optional<uint32_t> RemoteOf(const MacAddr& mac) const = 0;
};

}  // namespace pvland
