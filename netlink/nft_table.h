// How pvland creates the nftables tables of one instance (the netdev ingress table of
// daemon/port/ingress_guard.h, the arp table of daemon/router/kernel_arp_guard.h), so
// that a pvland killed with SIGKILL leaves nothing behind and two instances in one
// namespace never touch each other's (docs/operations.md §1, §2):
//  * each table is named after the instance's control socket (NftTableName), so two
//    instances have two tables;
//  * it is created with the owner flag (NFT_TABLE_F_OWNER, Linux 5.12): the kernel deletes
//    it when the netlink socket that created it closes, which a dying process always
//    does, and refuses changes from any other socket;
//  * before creating it, a table of the same name is deleted: the leftover of an
//    instance of this socket that died on a kernel without owner tables. The caller
//    holds the socket's InstanceLock, so that instance is dead; a live owner's table
//    cannot be deleted anyway (EPERM) and the creation, exclusive, then fails.
#pragma once

#include <linux/netfilter/nf_tables.h>

#include <cstdint>

#include "absl/status/status.h"

namespace pvland {

// `remove_stale()` deletes the table (its result ignored: usually there is none);
// `create(flags)` creates it exclusively with NFTA_TABLE_FLAGS `flags`. Returns whether
// the table is owned (the kernel took the flag), or the creation's error.
template <typename RemoveStale, typename Create>
absl::Status CreateInstanceTable(RemoveStale remove_stale, Create create, bool* owned) {
  (void)remove_stale();
  absl::Status s = create(static_cast<uint32_t>(NFT_TABLE_F_OWNER));
  *owned = s.ok();
  // Kernels before 5.12 refuse the unknown flag (EOPNOTSUPP, older ones EINVAL).
  if (absl::IsUnimplemented(s) || absl::IsInvalidArgument(s)) s = create(0);
  return s;
}

}  // namespace pvland
