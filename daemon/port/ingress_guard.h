// Keeps the kernel stack of pvland's namespace out of the switch's ports. An AF_PACKET
// socket only taps a frame: without this the kernel would also process every broadcast
// arriving on an attached interface (answer ARP for the namespace's addresses with the
// port's own MAC, reply to broadcast pings), unlike a Linux bridge whose ports hand every
// frame to the bridge. An nftables netdev-family chain with an ingress hook and policy
// drop on each attached interface does what the bridge's rx_handler does: the tap has
// already seen the frame (packet taps run before the ingress hook), the stack never does.
//
// libnftnl builds the nf_tables messages (batch, table, chain) so their layout is not
// hand-written here; libmnl carries them.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct mnl_socket;

namespace pvland {

class IngressGuard {
 public:
  // Creates the netdev table `table` (NftTableName of the control socket) as
  // netlink/nft_table.h describes: owned by this process, a dead instance's leftover of
  // the same name removed first.
  static absl::StatusOr<std::unique_ptr<IngressGuard>> Create(std::string table);
  ~IngressGuard();

  const std::string& table() const { return table_; }
  // Whether the kernel deletes the table by itself when pvland dies (Linux 5.12).
  bool owned() const { return owned_; }

  // Drops, at ingress, every frame arriving on `ifname` before the stack sees it.
  absl::Status Claim(const std::string& ifname);
  // Gives the interface back to the stack (no error when it is already gone).
  void Release(const std::string& ifname);

 private:
  IngressGuard() = default;
  enum class Op { kNewTable, kDelTable, kNewChain, kDelChain };
  absl::Status Send(Op op, const std::string& ifname, uint32_t table_flags = 0);

  std::string table_;
  mnl_socket* nl_ = nullptr;
  uint32_t seq_ = 1;
  bool owned_ = false;
};

}  // namespace pvland
