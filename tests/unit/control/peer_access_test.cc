// Who the control socket serves: root, pvland's own user, and members of --group.
#include "daemon/control/peer_access.h"

#include <gtest/gtest.h>

namespace pvland {
namespace {

PeerCred Peer(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
  PeerCred p;
  p.pid = 4242;
  p.uid = uid;
  p.gid = gid;
  p.groups = std::move(groups);
  return p;
}

TEST(PeerAccessTest, WithoutAGroupOnlyRootAndPvlandsUser) {
  ControlAccess root_daemon;
  EXPECT_TRUE(PeerAllowed(Peer(0, 0), root_daemon));
  EXPECT_TRUE(PeerAllowed(Peer(0, 1000), root_daemon)) << "root with any group";
  EXPECT_FALSE(PeerAllowed(Peer(1000, 0), root_daemon)) << "group root is not user root";
  EXPECT_FALSE(PeerAllowed(Peer(65534, 65534, {0, 1, 27}), root_daemon));

  ControlAccess user_daemon;
  user_daemon.daemon_uid = 991;
  EXPECT_TRUE(PeerAllowed(Peer(991, 991), user_daemon)) << "the user pvland runs as";
  EXPECT_TRUE(PeerAllowed(Peer(0, 0), user_daemon));
  EXPECT_FALSE(PeerAllowed(Peer(992, 991), user_daemon)) << "pvland's group is not served without --group";
}

TEST(PeerAccessTest, AGroupServesItsMembersByPrimaryOrSupplementaryGroup) {
  ControlAccess access;
  access.group = 500;
  access.group_name = "pvl";
  EXPECT_TRUE(PeerAllowed(Peer(1000, 500), access)) << "primary group";
  EXPECT_TRUE(PeerAllowed(Peer(1000, 100, {20, 500, 30}), access)) << "supplementary group";
  EXPECT_FALSE(PeerAllowed(Peer(1000, 100, {20, 30}), access));
  EXPECT_FALSE(PeerAllowed(Peer(500, 100), access)) << "a uid equal to the gid is no member";
  EXPECT_TRUE(PeerAllowed(Peer(0, 100), access));
}

TEST(PeerAccessTest, TheRefusalSaysWhoIsServedAndWhoWasRefused) {
  ControlAccess access;
  std::string msg = RefusalMessage(Peer(65534, 65534), access);
  EXPECT_NE(msg.find("permission denied"), std::string::npos) << msg;
  EXPECT_NE(msg.find("root only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("uid 65534"), std::string::npos) << msg;
  EXPECT_NE(msg.find("pid 4242"), std::string::npos) << msg;
  access.group = 500;
  access.group_name = "pvl";
  msg = RefusalMessage(Peer(1000, 100), access);
  EXPECT_NE(msg.find("group pvl (gid 500)"), std::string::npos) << msg;
}

}  // namespace
}  // namespace pvland
