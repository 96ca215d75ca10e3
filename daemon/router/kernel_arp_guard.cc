#include "daemon/router/kernel_arp_guard.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_arp.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "netlink/nft_table.h"

namespace pvland {
namespace {

// Offset of ar_op in the ARP header (the arp family's network header).
constexpr uint32_t kArpOpOffset = 6;

nftnl_expr* Expr(const char* name) { return nftnl_expr_alloc(name); }

// `meta oif IFINDEX arp operation reply counter drop`
nftnl_rule* ReplyDropRule(const std::string& table, int ifindex) {
  nftnl_rule* r = nftnl_rule_alloc();
  nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_ARP);
  nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table.c_str());
  nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, KernelArpGuard::kChain);

  nftnl_expr* e = Expr("meta");
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_OIF);
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
  nftnl_rule_add_expr(r, e);

  const uint32_t oif = static_cast<uint32_t>(ifindex);  // compared in host order, as the kernel stores it
  e = Expr("cmp");
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
  nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &oif, sizeof oif);
  nftnl_rule_add_expr(r, e);

  e = Expr("payload");
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, kArpOpOffset);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 2);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  nftnl_rule_add_expr(r, e);

  const uint16_t op = htons(ARPOP_REPLY);
  e = Expr("cmp");
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
  nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &op, sizeof op);
  nftnl_rule_add_expr(r, e);

  nftnl_rule_add_expr(r, Expr("counter"));

  e = Expr("immediate");
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
  nftnl_rule_add_expr(r, e);
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<KernelArpGuard>> KernelArpGuard::Create(std::string table) {
  std::unique_ptr<KernelArpGuard> g(new KernelArpGuard());
  g->table_ = std::move(table);
  g->nl_ = mnl_socket_open(NETLINK_NETFILTER);
  if (g->nl_ == nullptr) return absl::ErrnoToStatus(errno, "netfilter netlink socket");
  if (mnl_socket_bind(g->nl_, 0, MNL_SOCKET_AUTOPID) < 0) return absl::ErrnoToStatus(errno, "bind netfilter socket");
  absl::Status s = CreateInstanceTable([&] { return g->Send(Op::kDelTable); },
                                       [&](uint32_t flags) { return g->Send(Op::kNewTable, flags); }, &g->owned_);
  if (absl::IsAlreadyExists(s))
    return absl::AlreadyExistsError(absl::StrCat("nftables table arp ", g->table_, " belongs to another running program"));
  if (!s.ok()) return s;
  return g;
}

KernelArpGuard::~KernelArpGuard() {
  if (nl_ == nullptr) return;
  (void)Send(Op::kDelTable);
  mnl_socket_close(nl_);
}

absl::Status KernelArpGuard::Silence(int ifindex) {
  silenced_.insert(ifindex);
  return Rebuild();
}

void KernelArpGuard::Release(int ifindex) {
  if (silenced_.erase(ifindex) == 0) return;
  (void)Rebuild();
}

absl::Status KernelArpGuard::Rebuild() {
  // An internal port's TAP that vanished (and was created again under a new index)
  // leaves its old index behind: drop what names no interface any more.
  char name[IF_NAMESIZE];
  absl::erase_if(silenced_, [&](int ifindex) { return if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr; });
  return Send(Op::kRebuild);
}

absl::Status KernelArpGuard::Send(Op op, uint32_t table_flags) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE + 512 * (silenced_.size() + 4));
  size_t off = 0;
  int acks = 0;  // every message asks for one; an error answers instead
  off += nftnl_batch_begin(buf.data() + off, seq_++)->nlmsg_len;

  if (op == Op::kNewTable || op == Op::kDelTable) {
    nftnl_table* t = nftnl_table_alloc();
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, table_.c_str());
    nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_ARP);
    if (op == Op::kNewTable) nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, table_flags);
    nlmsghdr* nlh = nftnl_table_nlmsg_build_hdr(buf.data() + off,
                                                op == Op::kNewTable ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE, NFPROTO_ARP,
                                                (op == Op::kNewTable ? NLM_F_CREATE | NLM_F_EXCL : 0) | NLM_F_ACK, seq_++);
    nftnl_table_nlmsg_build_payload(nlh, t);
    nftnl_table_free(t);
    off += nlh->nlmsg_len;
    ++acks;
  }
  if (op == Op::kNewTable) {
    nftnl_chain* c = nftnl_chain_alloc();
    nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table_.c_str());
    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, kChain);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_ARP);
    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
    nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_ARP_OUT);
    nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
    nlmsghdr* nlh =
        nftnl_chain_nlmsg_build_hdr(buf.data() + off, NFT_MSG_NEWCHAIN, NFPROTO_ARP, NLM_F_CREATE | NLM_F_ACK, seq_++);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    nftnl_chain_free(c);
    off += nlh->nlmsg_len;
    ++acks;
  }
  if (op == Op::kRebuild) {
    // A rule message naming only the table and the chain flushes the chain.
    nftnl_rule* flush = nftnl_rule_alloc();
    nftnl_rule_set_u32(flush, NFTNL_RULE_FAMILY, NFPROTO_ARP);
    nftnl_rule_set_str(flush, NFTNL_RULE_TABLE, table_.c_str());
    nftnl_rule_set_str(flush, NFTNL_RULE_CHAIN, kChain);
    nlmsghdr* nlh = nftnl_rule_nlmsg_build_hdr(buf.data() + off, NFT_MSG_DELRULE, NFPROTO_ARP, NLM_F_ACK, seq_++);
    nftnl_rule_nlmsg_build_payload(nlh, flush);
    nftnl_rule_free(flush);
    off += nlh->nlmsg_len;
    ++acks;
    for (int ifindex : silenced_) {
      nftnl_rule* r = ReplyDropRule(table_, ifindex);
      nlh = nftnl_rule_nlmsg_build_hdr(buf.data() + off, NFT_MSG_NEWRULE, NFPROTO_ARP,
                                       NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq_++);
      nftnl_rule_nlmsg_build_payload(nlh, r);
      nftnl_rule_free(r);
      off += nlh->nlmsg_len;
      ++acks;
    }
  }
  off += nftnl_batch_end(buf.data() + off, seq_++)->nlmsg_len;

  if (mnl_socket_sendto(nl_, buf.data(), off) < 0) return absl::ErrnoToStatus(errno, "nf_tables send");
  // One answer per message: an ack, or the error that made the kernel abort the
  // whole transaction. Read them all so the next transaction starts clean.
  int first_error = 0;
  while (acks > 0) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.size());
    if (n < 0) return absl::ErrnoToStatus(errno, "nf_tables receive");
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_type != NLMSG_ERROR) continue;
      const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (err->error != 0 && first_error == 0) first_error = -err->error;
      --acks;
    }
    if (first_error != 0) {
      // The rest of the answers, if any, are already queued: take them without waiting.
      while (recv(mnl_socket_get_fd(nl_), buf.data(), buf.size(), MSG_DONTWAIT) > 0) {
      }
      break;
    }
  }
  if (first_error != 0) return absl::ErrnoToStatus(first_error, absl::StrCat("nf_tables arp table ", table_));
  return absl::OkStatus();
}

}  // namespace pvland
