#include "daemon/port/ingress_guard.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "netlink/nft_table.h"

namespace pvland {
namespace {

std::string ChainName(const std::string& ifname) { return "in_" + ifname; }

}  // namespace

absl::StatusOr<std::unique_ptr<IngressGuard>> IngressGuard::Create(std::string table) {
  std::unique_ptr<IngressGuard> g(new IngressGuard());
  g->table_ = std::move(table);
  g->nl_ = mnl_socket_open(NETLINK_NETFILTER);
  if (g->nl_ == nullptr) return absl::ErrnoToStatus(errno, "netfilter netlink socket");
  if (mnl_socket_bind(g->nl_, 0, MNL_SOCKET_AUTOPID) < 0) return absl::ErrnoToStatus(errno, "bind netfilter socket");
  absl::Status s = CreateInstanceTable([&] { return g->Send(Op::kDelTable, ""); },
                                       [&](uint32_t flags) { return g->Send(Op::kNewTable, "", flags); }, &g->owned_);
  if (absl::IsAlreadyExists(s))
    return absl::AlreadyExistsError(absl::StrCat("nftables table netdev ", g->table_, " belongs to another running program"));
  if (!s.ok()) return s;
  return g;
}

IngressGuard::~IngressGuard() {
  if (nl_ == nullptr) return;
  (void)Send(Op::kDelTable, "");
  mnl_socket_close(nl_);
}

absl::Status IngressGuard::Claim(const std::string& ifname) {
  // A chain of an interface that vanished and came back is stale: start afresh.
  (void)Send(Op::kDelChain, ifname);
  return Send(Op::kNewChain, ifname);
}

void IngressGuard::Release(const std::string& ifname) { (void)Send(Op::kDelChain, ifname); }

absl::Status IngressGuard::Send(Op op, const std::string& ifname, uint32_t table_flags) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  size_t off = 0;
  off += nftnl_batch_begin(buf.data() + off, seq_++)->nlmsg_len;

  nlmsghdr* nlh = nullptr;
  if (op == Op::kNewTable || op == Op::kDelTable) {
    nftnl_table* t = nftnl_table_alloc();
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, table_.c_str());
    nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
    if (op == Op::kNewTable) nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, table_flags);
    nlh = nftnl_table_nlmsg_build_hdr(buf.data() + off, op == Op::kNewTable ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE,
                                      NFPROTO_NETDEV, (op == Op::kNewTable ? NLM_F_CREATE | NLM_F_EXCL : 0) | NLM_F_ACK,
                                      seq_++);
    nftnl_table_nlmsg_build_payload(nlh, t);
    nftnl_table_free(t);
  } else {
    nftnl_chain* c = nftnl_chain_alloc();
    nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table_.c_str());
    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, ChainName(ifname).c_str());
    nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_NETDEV);
    if (op == Op::kNewChain) {
      nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
      nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_NETDEV_INGRESS);
      nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
      nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, ifname.c_str());
      nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_DROP);
    }
    nlh = nftnl_chain_nlmsg_build_hdr(buf.data() + off, op == Op::kNewChain ? NFT_MSG_NEWCHAIN : NFT_MSG_DELCHAIN,
                                      NFPROTO_NETDEV, (op == Op::kNewChain ? NLM_F_CREATE : 0) | NLM_F_ACK, seq_++);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    nftnl_chain_free(c);
  }
  off += nlh->nlmsg_len;
  off += nftnl_batch_end(buf.data() + off, seq_++)->nlmsg_len;

  if (mnl_socket_sendto(nl_, buf.data(), off) < 0) return absl::ErrnoToStatus(errno, "nf_tables send");
  // Only the payload message asks for an ack; an error answers it instead.
  const unsigned portid = mnl_socket_get_portid(nl_);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.size());
    if (n < 0) return absl::ErrnoToStatus(errno, "nf_tables receive");
    int rc = mnl_cb_run(buf.data(), n, 0, portid, nullptr, nullptr);
    if (rc < 0) return absl::ErrnoToStatus(errno, absl::StrCat("nf_tables ", ifname.empty() ? table_ : ifname));
    if (rc == MNL_CB_STOP) break;
  }
  return absl::OkStatus();
}

}  // namespace pvland
