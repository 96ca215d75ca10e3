#include "ctl/proto/message.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include <cerrno>
#include <cstring>

namespace pvland::ctl {
namespace {

constexpr AttrInfo kAttrTable[] = {
    {PVL_K_NONE, ""},
#define PVL_ATTR_ROW(name, kind, key) {kind, key},
    PVL_ATTRS(PVL_ATTR_ROW)
#undef PVL_ATTR_ROW
};
static_assert(sizeof(kAttrTable) / sizeof(kAttrTable[0]) == PVL_A_MAX + 1);

constexpr std::string_view kCmdNames[] = {
    "",
#define PVL_CMD_NAME(name) #name,
    PVL_CMDS(PVL_CMD_NAME)
#undef PVL_CMD_NAME
};

// Minimum payload length of each kind; strings are checked for NUL termination instead.
size_t KindLen(pvl_attr_kind k) {
  switch (k) {
    case PVL_K_BOOL: return 1;
    case PVL_K_U16: return 2;
    case PVL_K_U32:
    case PVL_K_S32:
    case PVL_K_IPV4: return 4;
    case PVL_K_U64: return 8;
    case PVL_K_MAC: return 6;
    default: return 0;
  }
}

nlmsghdr* Header(std::vector<uint8_t>& buf) { return reinterpret_cast<nlmsghdr*>(buf.data()); }
const nlmsghdr* Header(const std::vector<uint8_t>& buf) {
  return reinterpret_cast<const nlmsghdr*>(buf.data());
}

}  // namespace

const AttrInfo& Attr(uint16_t type) { return kAttrTable[type <= PVL_A_MAX ? type : 0]; }

std::string_view CmdName(uint8_t cmd) {
  return cmd < std::size(kCmdNames) ? kCmdNames[cmd] : std::string_view();
}

MessageBuilder::MessageBuilder(uint16_t nlmsg_type, uint16_t flags, uint32_t seq, uint8_t cmd)
    : buf_(PVL_CTL_MSG_MAX) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf_.data());
  nlh->nlmsg_type = nlmsg_type;
  nlh->nlmsg_flags = flags;
  nlh->nlmsg_seq = seq;
  auto* hdr = static_cast<pvl_ctlhdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(pvl_ctlhdr)));
  hdr->cmd = cmd;
  hdr->version = PVL_CTL_VERSION;
}

size_t MessageBuilder::size() const { return Header(buf_)->nlmsg_len; }

void MessageBuilder::Seal() {
  buf_ = std::vector<uint8_t>(buf_.begin(), buf_.begin() + size());
}

#define PVL_PUT(call) \
  if (!overflow_ && !(call)) overflow_ = true

void MessageBuilder::PutU8(uint16_t type, uint8_t v) {
  PVL_PUT(mnl_attr_put_u8_check(Header(buf_), buf_.size(), type, v));
}
void MessageBuilder::PutU16(uint16_t type, uint16_t v) {
  PVL_PUT(mnl_attr_put_u16_check(Header(buf_), buf_.size(), type, v));
}
void MessageBuilder::PutU32(uint16_t type, uint32_t v) {
  PVL_PUT(mnl_attr_put_u32_check(Header(buf_), buf_.size(), type, v));
}
void MessageBuilder::PutS32(uint16_t type, int32_t v) { PutU32(type, static_cast<uint32_t>(v)); }
void MessageBuilder::PutU64(uint16_t type, uint64_t v) {
  PVL_PUT(mnl_attr_put_u64_check(Header(buf_), buf_.size(), type, v));
}
void MessageBuilder::PutString(uint16_t type, std::string_view v) {
  // mnl_attr_put_strz_check needs a NUL-terminated source.
  std::string s(v);
  PVL_PUT(mnl_attr_put_strz_check(Header(buf_), buf_.size(), type, s.c_str()));
}
void MessageBuilder::PutMac(uint16_t type, const uint8_t mac[6]) {
  PVL_PUT(mnl_attr_put_check(Header(buf_), buf_.size(), type, 6, mac));
}
void MessageBuilder::PutIpv4(uint16_t type, uint32_t host_order) {
  uint32_t be = htonl(host_order);
  PVL_PUT(mnl_attr_put_check(Header(buf_), buf_.size(), type, 4, &be));
}
void MessageBuilder::PutBinary(uint16_t type, absl::Span<const uint8_t> bytes) {
  PVL_PUT(mnl_attr_put_check(Header(buf_), buf_.size(), type, bytes.size(), bytes.data()));
}
nlattr* MessageBuilder::NestStart(uint16_t type) {
  if (overflow_) return nullptr;
  nlattr* n = mnl_attr_nest_start_check(Header(buf_), buf_.size(), type);
  if (n == nullptr) overflow_ = true;
  return n;
}
void MessageBuilder::NestEnd(nlattr* nest) {
  if (nest != nullptr && !overflow_) mnl_attr_nest_end(Header(buf_), nest);
}
#undef PVL_PUT

std::vector<uint8_t> BuildAck(uint32_t seq, int error, std::string_view msg) {
  std::vector<uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = NLMSG_ERROR;
  nlh->nlmsg_seq = seq;
  auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
  err->error = error;
  err->msg.nlmsg_seq = seq;
  if (!msg.empty()) {
    std::string s(msg.substr(0, 1024));
    mnl_attr_put_strz(nlh, PVL_A_ERROR_MSG, s.c_str());
  }
  buf.resize(nlh->nlmsg_len);
  return buf;
}

absl::StatusOr<AttrView> AttrView::Parse(const void* data, size_t len) {
  AttrView view;
  const auto* base = static_cast<const uint8_t*>(data);
  size_t off = 0;
  while (off + sizeof(nlattr) <= len) {
    const auto* a = reinterpret_cast<const nlattr*>(base + off);
    if (a->nla_len < sizeof(nlattr) || a->nla_len > len - off)
      return absl::InvalidArgumentError("attribute length out of bounds");
    const uint16_t type = mnl_attr_get_type(a);
    const size_t plen = mnl_attr_get_payload_len(a);
    const AttrInfo& info = Attr(type);
    if (info.kind != PVL_K_NONE) {
      if (plen < KindLen(info.kind))
        return absl::InvalidArgumentError(std::string("attribute '") + info.key + "' too short");
      if (info.kind == PVL_K_STRING &&
          (plen == 0 || static_cast<const char*>(mnl_attr_get_payload(a))[plen - 1] != '\0'))
        return absl::InvalidArgumentError(std::string("attribute '") + info.key +
                                          "' is not a terminated string");
      if (type != PVL_A_ITEM) view.attrs_[type] = a;
      view.ordered_.push_back(a);
    }
    off += MNL_ALIGN(a->nla_len);
  }
  return view;
}

std::optional<bool> AttrView::Bool(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  return mnl_attr_get_u8(attrs_[type]) != 0;
}
std::optional<uint16_t> AttrView::U16(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  return mnl_attr_get_u16(attrs_[type]);
}
std::optional<uint32_t> AttrView::U32(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  return mnl_attr_get_u32(attrs_[type]);
}
std::optional<int32_t> AttrView::S32(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  return static_cast<int32_t>(mnl_attr_get_u32(attrs_[type]));
}
std::optional<uint64_t> AttrView::U64(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  uint64_t v;
  std::memcpy(&v, mnl_attr_get_payload(attrs_[type]), sizeof v);
  return v;
}
std::optional<std::string_view> AttrView::String(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  return std::string_view(mnl_attr_get_str(attrs_[type]));
}
std::optional<MacAddr> AttrView::Mac(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  MacAddr mac;
  std::memcpy(mac.data(), mnl_attr_get_payload(attrs_[type]), 6);
  return mac;
}
std::optional<uint32_t> AttrView::Ipv4(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  uint32_t be;
  std::memcpy(&be, mnl_attr_get_payload(attrs_[type]), 4);
  return ntohl(be);
}
std::optional<absl::Span<const uint8_t>> AttrView::Binary(uint16_t type) const {
  if (!Has(type)) return std::nullopt;
  return absl::MakeConstSpan(static_cast<const uint8_t*>(mnl_attr_get_payload(attrs_[type])),
                             mnl_attr_get_payload_len(attrs_[type]));
}
absl::StatusOr<AttrView> AttrView::Nest(uint16_t type) const {
  if (!Has(type)) return AttrView();
  return Parse(mnl_attr_get_payload(attrs_[type]), mnl_attr_get_payload_len(attrs_[type]));
}
absl::StatusOr<std::vector<AttrView>> AttrView::Items(uint16_t type) const {
  std::vector<AttrView> items;
  if (!Has(type)) return items;
  auto list = Nest(type);
  if (!list.ok()) return list.status();
  for (const nlattr* a : list->ordered()) {
    if (mnl_attr_get_type(a) != PVL_A_ITEM) continue;
    auto item = Parse(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
    if (!item.ok()) return item.status();
    items.push_back(std::move(*item));
  }
  return items;
}

absl::StatusOr<std::vector<Message>> ParseMessages(const void* data, size_t len) {
  std::vector<Message> out;
  const auto* base = static_cast<const uint8_t*>(data);
  size_t off = 0;
  while (off < len) {
    if (len - off < sizeof(nlmsghdr)) return absl::InvalidArgumentError("truncated message header");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(base + off);
    if (nlh->nlmsg_len < sizeof(nlmsghdr) || nlh->nlmsg_len > len - off)
      return absl::InvalidArgumentError("message length out of bounds");
    Message m;
    m.type = nlh->nlmsg_type;
    m.flags = nlh->nlmsg_flags;
    m.seq = nlh->nlmsg_seq;
    const auto* payload = static_cast<const uint8_t*>(mnl_nlmsg_get_payload(nlh));
    const size_t plen = mnl_nlmsg_get_payload_len(nlh);
    if (m.type == NLMSG_ERROR) {
      if (plen < sizeof(nlmsgerr)) return absl::InvalidArgumentError("truncated error message");
      m.error = reinterpret_cast<const nlmsgerr*>(payload)->error;
      const size_t hl = MNL_ALIGN(sizeof(nlmsgerr));
      if (plen > hl) {
        auto attrs = AttrView::Parse(payload + hl, plen - hl);
        if (attrs.ok() && attrs->String(PVL_A_ERROR_MSG)) m.error_msg = *attrs->String(PVL_A_ERROR_MSG);
      }
    } else if (m.type == PVL_MSG_CTL) {
      if (plen < sizeof(pvl_ctlhdr)) return absl::InvalidArgumentError("truncated control header");
      const auto* hdr = reinterpret_cast<const pvl_ctlhdr*>(payload);
      if (hdr->version != PVL_CTL_VERSION)
        return absl::InvalidArgumentError("control protocol version " + std::to_string(hdr->version) +
                                          " is not supported");
      m.cmd = hdr->cmd;
      const size_t hl = MNL_ALIGN(sizeof(pvl_ctlhdr));
      m.payload.assign(payload + hl, payload + plen);
    } else if (m.type != NLMSG_DONE && m.type != NLMSG_NOOP) {
      return absl::InvalidArgumentError("unknown message type " + std::to_string(m.type));
    }
    out.push_back(std::move(m));
    off += MNL_ALIGN(nlh->nlmsg_len);
  }
  return out;
}

}  // namespace pvland::ctl
