// The mirror's conversion of a proxy entry dump message (RTM_NEWNEIGH with NTF_PROXY,
// as pneigh_fill_info builds it) into a kernel_state ProxyEntry.
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "netlink/nl_convert.h"

namespace pvland::netlink {
namespace {

// One message: header, ndmsg, then the given attributes.
struct Msg {
  std::vector<uint8_t> buf;
  explicit Msg(uint8_t family, int ifindex, uint8_t flags, uint16_t type = RTM_NEWNEIGH) {
    buf.resize(NLMSG_LENGTH(sizeof(ndmsg)));
    auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_MULTI;
    auto* ndm = static_cast<ndmsg*>(NLMSG_DATA(h));
    ndm->ndm_family = family;
    ndm->ndm_ifindex = ifindex;
    ndm->ndm_flags = flags;
    ndm->ndm_type = RTN_UNICAST;
    ndm->ndm_state = NUD_NONE;  // proxy entries report no state
    Finish();
  }
  Msg& Attr(uint16_t type, const void* data, size_t len) {
    buf.resize(NLMSG_ALIGN(buf.size()));
    const size_t at = buf.size();
    buf.resize(at + RTA_SPACE(len));
    auto* rta = reinterpret_cast<rtattr*>(buf.data() + at);
    rta->rta_type = type;
    rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    std::memcpy(RTA_DATA(rta), data, len);
    Finish();
    return *this;
  }
  Msg& Dst(const char* ip) {
    in_addr a{};
    inet_pton(AF_INET, ip, &a);
    return Attr(NDA_DST, &a, 4);
  }
  void Finish() { reinterpret_cast<nlmsghdr*>(buf.data())->nlmsg_len = static_cast<uint32_t>(buf.size()); }
  std::optional<ipv4::ProxyEntry> Convert() const {
    return ConvertProxyNeigh(reinterpret_cast<const nlmsghdr*>(buf.data()), buf.size());
  }
};

TEST(ProxyNeighConvertTest, EntryWithDevice) {
  const uint8_t proto = 3;
  Msg m(AF_INET, 7, NTF_PROXY);
  m.Attr(NDA_PROTOCOL, &proto, 1).Dst("10.0.2.50");
  auto e = m.Convert();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->address, 0x0a000232u);
  EXPECT_EQ(e->ifindex, 7);
}

TEST(ProxyNeighConvertTest, EntryWithoutDeviceHasIfindexZero) {
  auto e = Msg(AF_INET, 0, NTF_PROXY).Dst("8.8.8.8").Convert();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->address, 0x08080808u);
  EXPECT_EQ(e->ifindex, 0);
}

TEST(ProxyNeighConvertTest, OtherFlagsBesideProxyAreKept) {
  // The kernel reports pn->flags | NTF_PROXY (NTF_ROUTER for IPv6 entries, for one).
  EXPECT_TRUE(Msg(AF_INET, 3, NTF_PROXY | NTF_ROUTER).Dst("10.1.2.3").Convert().has_value());
}

TEST(ProxyNeighConvertTest, RejectsWhatIsNotAnIpv4ProxyEntry) {
  EXPECT_FALSE(Msg(AF_INET, 3, 0).Dst("10.1.2.3").Convert().has_value());          // ordinary neighbour
  EXPECT_FALSE(Msg(AF_INET6, 3, NTF_PROXY).Convert().has_value());                 // IPv6 proxy (NDP)
  EXPECT_FALSE(Msg(AF_INET, 3, NTF_PROXY).Convert().has_value());                  // no NDA_DST
  EXPECT_FALSE(Msg(AF_INET, 3, NTF_PROXY, RTM_DELNEIGH).Dst("10.1.2.3").Convert().has_value());
  const uint8_t six[16] = {};
  EXPECT_FALSE(Msg(AF_INET, 3, NTF_PROXY).Attr(NDA_DST, six, 16).Convert().has_value());
  // Truncated: the header claims more than the buffer holds.
  Msg m(AF_INET, 3, NTF_PROXY);
  m.Dst("10.1.2.3");
  EXPECT_FALSE(ConvertProxyNeigh(reinterpret_cast<const nlmsghdr*>(m.buf.data()), m.buf.size() - 4).has_value());
}

}  // namespace
}  // namespace pvland::netlink
