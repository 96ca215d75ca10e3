#include "daemon/control/peer_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pvland {

bool PeerAllowed(const PeerCred& peer, const ControlAccess& access) {
  if (peer.uid == 0 || peer.uid == access.daemon_uid) return true;
  if (!access.group) return false;
  return peer.gid == *access.group ||
         std::find(peer.groups.begin(), peer.groups.end(), *access.group) != peer.groups.end();
}

std::string RefusalMessage(const PeerCred& peer, const ControlAccess& access) {
  std::string served = "root";
  if (access.daemon_uid != 0) absl::StrAppend(&served, ", uid ", access.daemon_uid);
  if (access.group) absl::StrAppend(&served, " and members of group ", access.group_name, " (gid ", *access.group, ")");
  else absl::StrAppend(&served, " only (pvland --group NAME serves a group)");
  return absl::StrCat("permission denied: this pvland serves ", served, "; uid ", peer.uid, " gid ", peer.gid,
                      " (pid ", peer.pid, ") is refused");
}

}  // namespace pvland
