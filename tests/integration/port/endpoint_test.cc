// Port::ReadEndpoint() and netlink/foreign_link.h against the running kernel: a TAP
// moved into a guest namespace and changed there, a veth's peer, a macvlan with no peer.
//
// Each test moves itself into a fresh network namespace (unshare), and its guest
// namespaces are held by an fd alone (no /var/run/netns mount), so every namespace and
// device the test makes goes away with the process, whatever way it ends. Needs root
// (tests/integration/skip_or_fail.h).
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/core/unique_fd.h"
#include "daemon/port/af_packet_port.h"
#include "daemon/port/tap_port.h"
#include "gtest/gtest.h"
#include "netlink/foreign_link.h"
#include "tests/integration/skip_or_fail.h"

namespace pvland {
namespace {

using netlink::LinkNotifier;

int Sh(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

UniqueFd OpenOwnNetns() { return UniqueFd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)); }

// A guest namespace that lives as long as this object (its fd is the only reference).
class Guest {
 public:
  bool Create() {
    home_ = OpenOwnNetns();
    if (!home_.valid() || unshare(CLONE_NEWNET) != 0) return false;
    fd_ = OpenOwnNetns();
    return setns(home_.get(), CLONE_NEWNET) == 0 && fd_.valid() && Run("ip link set lo up") == 0;
  }
  int fd() const { return fd_.get(); }
  // What `ip link set DEV netns` takes to name it.
  std::string path() const { return absl::StrCat("/proc/", getpid(), "/fd/", fd_.get()); }
  // A shell command run inside the guest.
  int Run(const std::string& cmd) {
    if (setns(fd_.get(), CLONE_NEWNET) != 0) return -1;
    const int rc = Sh(cmd);
    return setns(home_.get(), CLONE_NEWNET) == 0 ? rc : -1;
  }
  // A packet socket in the guest asking for promiscuous mode on `ifname`, as tcpdump
  // does: it raises the device's promiscuity, not its IFF_PROMISC flag.
  UniqueFd PromiscListener(const char* ifname) {
    if (setns(fd_.get(), CLONE_NEWNET) != 0) return UniqueFd();
    UniqueFd s(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    packet_mreq mr{};
    mr.mr_ifindex = static_cast<int>(if_nametoindex(ifname));
    mr.mr_type = PACKET_MR_PROMISC;
    const bool ok = setsockopt(s.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) == 0;
    if (setns(home_.get(), CLONE_NEWNET) != 0 || !ok) return UniqueFd();
    return s;
  }

 private:
  UniqueFd home_;
  UniqueFd fd_;
};

size_t OpenFds() {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                           std::filesystem::directory_iterator{}));
}

// True when the notifier reports a link change within `ms`.
bool Notified(LinkNotifier& n, int ms = 2000) {
  pollfd p{n.fd(), POLLIN, 0};
  return poll(&p, 1, ms) > 0 && n.Drain();
}

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ::pvland::testing::EnterFreshNetns(); !why.empty()) {
      PVLAND_SKIP_OR_FAIL(why);
    }
    ASSERT_EQ(Sh("ip link set lo up"), 0);
    ASSERT_TRUE(guest_.Create());
    auto n = LinkNotifier::Open();
    ASSERT_TRUE(n.ok()) << n.status();
    notifier_.emplace(std::move(*n));
  }

  // The guest's nsid in our namespace, as `where` names it.
  std::string GuestId() {
    auto id = netlink::NsidOfNetns(guest_.fd());
    EXPECT_TRUE(id.ok() && id->has_value()) << id.status();
    return id.ok() && id->has_value() ? absl::StrCat(**id) : "?";
  }

  Guest guest_;
  std::optional<LinkNotifier> notifier_;
};

TEST_F(EndpointTest, TapMovedIntoAGuestIsReadThereAndItsChangesAreHeard) {
  TapPort port("eptap0", /*internal=*/false);
  ASSERT_TRUE(port.Open().ok());
  auto e = port.ReadEndpoint();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where, "eptap0 in pvland's netns");
  EXPECT_EQ(e->mac, port.mac());

  ASSERT_EQ(Sh("ip link set eptap0 netns " + guest_.path()), 0);
  const std::string id = GuestId();
  e = port.ReadEndpoint();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where, "eptap0 in netns id " + id);
  EXPECT_FALSE(e->promiscuous);
  // Every read opens the TAP's namespace (TUNGETDEVNETNS) and a netlink socket: none stays.
  const size_t fds = OpenFds();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(port.ReadEndpoint().has_value());
  EXPECT_EQ(OpenFds(), fds);

  // The guest's changes: MAC, name, promiscuous mode asked with `ip link`.
  notifier_->Drain();
  ASSERT_EQ(guest_.Run("ip link set eptap0 address 02:00:00:00:00:42"), 0);
  EXPECT_TRUE(Notified(*notifier_)) << "no RTM_NEWLINK from the guest";
  e = port.ReadEndpoint();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(FormatMac(e->mac), "02:00:00:00:00:42");

  ASSERT_EQ(guest_.Run("ip link set eptap0 name guest0"), 0);
  e = port.ReadEndpoint();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where, "guest0 in netns id " + id);

  notifier_->Drain();
  ASSERT_EQ(guest_.Run("ip link set guest0 promisc on"), 0);
  EXPECT_TRUE(Notified(*notifier_));
  EXPECT_TRUE(port.ReadEndpoint().value_or(EndpointLink{}).promiscuous);
  ASSERT_EQ(guest_.Run("ip link set guest0 promisc off"), 0);
  EXPECT_FALSE(port.ReadEndpoint().value_or(EndpointLink{}).promiscuous);

  // tcpdump's way: only IFLA_PROMISCUITY shows it.
  notifier_->Drain();
  {
    UniqueFd listener = guest_.PromiscListener("guest0");
    ASSERT_TRUE(listener.valid());
    EXPECT_TRUE(Notified(*notifier_));
    auto link = netlink::QueryLinkByName(std::stoi(id), "guest0");
    ASSERT_TRUE(link.ok()) << link.status();
    EXPECT_EQ(link->flags & IFF_PROMISC, 0u);
    EXPECT_EQ(link->promiscuity, 1u);
    EXPECT_TRUE(port.ReadEndpoint().value_or(EndpointLink{}).promiscuous);
  }
  EXPECT_FALSE(port.ReadEndpoint().value_or(EndpointLink{}).promiscuous);
}

TEST_F(EndpointTest, InternalPortAndClosedTapHaveNone) {
  TapPort internal("epint0", /*internal=*/true);
  ASSERT_TRUE(internal.Open().ok());
  EXPECT_FALSE(internal.ReadEndpoint().has_value());
  TapPort tap("eptap1", /*internal=*/false);
  EXPECT_FALSE(tap.ReadEndpoint().has_value());
}

TEST_F(EndpointTest, VethPortReadsItsPeerInTheGuest) {
  ASSERT_EQ(Sh("set -e; ip link add epv0 type veth peer name epv0p;"
               "ip link set epv0p address 02:00:00:00:01:01; ip link set epv0 up;"
               "ip link set epv0p netns " + guest_.path()), 0);
  AfPacketPort port("epv0", nullptr);
  ASSERT_TRUE(port.Open().ok());
  const std::string id = GuestId();
  auto e = port.ReadEndpoint();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where, "epv0p in netns id " + id);
  EXPECT_EQ(FormatMac(e->mac), "02:00:00:00:01:01");
  // Our own end is promiscuous (the port's packet socket); the peer is not.
  EXPECT_FALSE(e->promiscuous);

  notifier_->Drain();
  ASSERT_EQ(guest_.Run("ip link set epv0p address 02:00:00:00:01:02"), 0);
  EXPECT_TRUE(Notified(*notifier_));
  EXPECT_EQ(FormatMac(port.ReadEndpoint().value_or(EndpointLink{}).mac), "02:00:00:00:01:02");
  {
    UniqueFd listener = guest_.PromiscListener("epv0p");
    ASSERT_TRUE(listener.valid());
    EXPECT_TRUE(port.ReadEndpoint().value_or(EndpointLink{}).promiscuous);
  }
  EXPECT_FALSE(port.ReadEndpoint().value_or(EndpointLink{}).promiscuous);
}

TEST_F(EndpointTest, VethPeerInOurOwnNamespace) {
  ASSERT_EQ(Sh("set -e; ip link add epv1 type veth peer name epv1p; ip link set epv1 up"), 0);
  AfPacketPort port("epv1", nullptr);
  ASSERT_TRUE(port.Open().ok());
  auto e = port.ReadEndpoint();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where, "epv1p in pvland's netns");
}

TEST_F(EndpointTest, MacvlanAndTapHaveNoPeer) {
  // A macvlan's IFLA_LINK is its lower device (here a veth), not a peer: it must not be
  // taken for one, here nor with the lower device in another namespace (IFLA_LINK_NETNSID
  // set). A TAP made with `ip tuntap` stands for a NIC: no IFLA_LINK at all.
  ASSERT_EQ(Sh("set -e; ip link add epl0 type veth peer name epl0p; ip link set epl0 up;"
               "ip link add link epl0 name epm0 type macvlan; ip link set epm0 up;"
               "ip tuntap add eptt0 mode tap; ip link set eptt0 up"), 0);
  ASSERT_EQ(guest_.Run("set -e; ip link add epl1 type veth peer name epl1p; ip link set epl1 up;"
                       "ip link add link epl1 name epm1 type macvlan"), 0);
  UniqueFd ours = OpenOwnNetns();
  ASSERT_EQ(guest_.Run(absl::StrCat("ip link set epm1 netns /proc/", getpid(), "/fd/", ours.get())), 0);
  ASSERT_EQ(Sh("ip link set epm1 up"), 0);
  for (const char* dev : {"epm0", "epm1", "eptt0"}) {
    AfPacketPort port(dev, nullptr);
    ASSERT_TRUE(port.Open().ok()) << dev;
    EXPECT_FALSE(port.ReadEndpoint().has_value()) << dev;
  }
  auto m1 = netlink::QueryLinkByName(std::nullopt, "epm1");
  ASSERT_TRUE(m1.ok()) << m1.status();
  EXPECT_EQ(m1->kind, "macvlan");
  EXPECT_NE(m1->link_ifindex, 0);
  EXPECT_TRUE(m1->link_nsid.has_value());
}

TEST_F(EndpointTest, QueriesAnswerNotFoundAndOurOwnNamespaceNeedsNoNsid) {
  EXPECT_TRUE(absl::IsNotFound(netlink::QueryLinkByName(std::nullopt, "nosuchdev0").status()));
  EXPECT_TRUE(absl::IsNotFound(netlink::QueryLinkByName(std::stoi(GuestId()), "nosuchdev0").status()));
  auto lo = netlink::QueryLink(std::nullopt, 1);
  ASSERT_TRUE(lo.ok()) << lo.status();
  EXPECT_EQ(lo->name, "lo");
  UniqueFd own = OpenOwnNetns();
  auto id = netlink::NsidOfNetns(own.get());
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_FALSE(id->has_value());
}

}  // namespace
}  // namespace pvland
