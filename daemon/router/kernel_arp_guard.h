// Keeps the kernel behind pvland's internal ports from answering ARP. pvland decides
// and sends every answer about an internal port (local, proxy_arp, proxy_arp_pvlan and
// static proxy entries); the kernel behind the TAP still receives every request, and
// must, because its neighbour table learns from them (arp_process refreshes the
// requester's entry, updates existing ones, takes gratuitous ARP). Its devconf can stop
// most answers (arp_ignore 8, proxy_arp 0), but nothing in devconf stops it from
// answering for a static proxy entry (`ip neigh add proxy ADDR dev gw0`), and the kernel
// may gain other ways to answer. So the answers themselves are dropped: an nftables
// `arp`-family table with an output chain drops every ARP reply the kernel's ARP code
// sends (arp_xmit, the NF_ARP_OUT hook) out of an internal port. The kernel's own
// requests still leave, replies to them still arrive, and frames a program writes to a
// packet socket on the TAP (arping -A, a userspace ARP responder) do not pass that
// hook, so they are not touched.
//
// libnftnl builds the nf_tables messages; libmnl carries them. The chain is rebuilt
// whole (flush, then one rule per silenced interface) in one transaction on each
// change; internal ports are few.
#pragma once

#include <memory>
#include <string>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct mnl_socket;

namespace pvland {

class KernelArpGuard {
 public:
  // Creates the arp-family table `table` (NftTableName of the control socket) with its
  // empty output chain, as netlink/nft_table.h describes: owned by this process, a dead
  // instance's leftover of the same name removed first.
  static absl::StatusOr<std::unique_ptr<KernelArpGuard>> Create(std::string table);
  ~KernelArpGuard();
  KernelArpGuard(const KernelArpGuard&) = delete;
  KernelArpGuard& operator=(const KernelArpGuard&) = delete;

  // From now on, ARP replies the kernel sends out of interface `ifindex` are dropped.
  // Interfaces that no longer exist are forgotten on the way.
  absl::Status Silence(int ifindex);
  // The kernel may answer on `ifindex` again (no error when it was not silenced).
  void Release(int ifindex);

  static constexpr char kChain[] = "kernel_arp_replies";
  const std::string& table() const { return table_; }
  bool owned() const { return owned_; }

 private:
  KernelArpGuard() = default;
  absl::Status Rebuild();
  enum class Op { kNewTable, kDelTable, kRebuild };
  absl::Status Send(Op op, uint32_t table_flags = 0);

  std::string table_;
  bool owned_ = false;
  mnl_socket* nl_ = nullptr;
  uint32_t seq_ = 1;
  absl::btree_set<int> silenced_;
};

}  // namespace pvland
