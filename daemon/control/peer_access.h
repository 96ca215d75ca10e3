// Who may use the control socket. The socket file's mode (0600, or 0660 with a group)
// keeps others from connecting, but a file mode is easy to loosen by mistake and says
// nothing about a descriptor passed on; so every connection is also judged by the
// credentials the kernel reports for its peer (SO_PEERCRED, SO_PEERGROUPS) before
// anything it sends is read.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace pvland {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

struct ControlAccess {
  uid_t daemon_uid = 0;             // the user pvland runs as is served too
  std::optional<gid_t> group;       // pvland --group NAME
  std::string group_name;
};

// Root, pvland's own user, and (with --group) a peer whose primary or supplementary
// group is that group.
bool PeerAllowed(const PeerCred& peer, const ControlAccess& access);

// The reason given to a refused peer and logged: who it is and who is served.
std::string RefusalMessage(const PeerCred& peer, const ControlAccess& access);

}  // namespace pvland
