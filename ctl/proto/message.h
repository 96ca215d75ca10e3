// Building and reading pvland control messages (include/pvland/ctl_proto.h) with libmnl.
// Shared by the daemon's control server and by pvlanctl, so both sides agree by construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "include/pvland/ctl_proto.h"
#include "include/pvland/types.h"

struct nlattr;

namespace pvland::ctl {

struct AttrInfo {
  pvl_attr_kind kind;
  const char* key;  // JSON and text key
};

// Table entry for attribute `type`; kind PVL_K_NONE for unknown types.
const AttrInfo& Attr(uint16_t type);
// "port_add" style name of a command, "" if unknown.
std::string_view CmdName(uint8_t cmd);

// One message under construction. Put* return false once the buffer is full; Finish()
// then reports the overflow, so callers check once.
class MessageBuilder {
 public:
  MessageBuilder(uint16_t nlmsg_type, uint16_t flags, uint32_t seq, uint8_t cmd);

  void PutBool(uint16_t type, bool v) { PutU8(type, v ? 1 : 0); }
  void PutU8(uint16_t type, uint8_t v);
  void PutU16(uint16_t type, uint16_t v);
  void PutU32(uint16_t type, uint32_t v);
  void PutS32(uint16_t type, int32_t v);
  void PutU64(uint16_t type, uint64_t v);
  void PutString(uint16_t type, std::string_view v);
  void PutMac(uint16_t type, const uint8_t mac[6]);
  void PutIpv4(uint16_t type, uint32_t host_order);
  void PutBinary(uint16_t type, absl::Span<const uint8_t> bytes);
  // Nested attribute; returns a handle for NestEnd (nullptr when full).
  nlattr* NestStart(uint16_t type);
  void NestEnd(nlattr* nest);

  // Ends the message: its buffer shrinks from PVL_CTL_MSG_MAX to what it holds, and
  // nothing more can be put (a put after it overflows). A reply of many small records
  // (an FDB dump of 65536 entries) then takes their size, not 64 KiB each.
  void Seal();

  bool overflowed() const { return overflow_; }
  size_t size() const;
  absl::Span<const uint8_t> bytes() const { return {buf_.data(), size()}; }

 private:
  std::vector<uint8_t> buf_;
  bool overflow_ = false;
};

// An NLMSG_ERROR reply: error 0 for success, else -errno with a message.
std::vector<uint8_t> BuildAck(uint32_t seq, int error, std::string_view msg);

// Read-only view of one level of attributes, indexed by type. Validates each known
// attribute's length against its kind; unknown types are skipped (forward compatible).
class AttrView {
 public:
  static absl::StatusOr<AttrView> Parse(const void* data, size_t len);

  bool Has(uint16_t type) const { return type <= PVL_A_MAX && attrs_[type] != nullptr; }
  const nlattr* Raw(uint16_t type) const { return type <= PVL_A_MAX ? attrs_[type] : nullptr; }
  std::optional<bool> Bool(uint16_t type) const;
  std::optional<uint16_t> U16(uint16_t type) const;
  std::optional<uint32_t> U32(uint16_t type) const;
  std::optional<int32_t> S32(uint16_t type) const;
  std::optional<uint64_t> U64(uint16_t type) const;
  std::optional<std::string_view> String(uint16_t type) const;
  std::optional<MacAddr> Mac(uint16_t type) const;
  std::optional<uint32_t> Ipv4(uint16_t type) const;  // host order
  // A PVL_K_BINARY attribute's bytes, pointing into the message.
  std::optional<absl::Span<const uint8_t>> Binary(uint16_t type) const;
  // Sub-view of a nested attribute.
  absl::StatusOr<AttrView> Nest(uint16_t type) const;
  // The PVL_A_ITEM children of a nested list attribute, each parsed.
  absl::StatusOr<std::vector<AttrView>> Items(uint16_t type) const;
  // Every attribute in wire order (for generic printing).
  const std::vector<const nlattr*>& ordered() const { return ordered_; }

 private:
  std::array<const nlattr*, PVL_A_MAX + 1> attrs_{};
  std::vector<const nlattr*> ordered_;
};

// A decoded message: header fields plus its top-level attributes. Owns its bytes.
struct Message {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint32_t seq = 0;
  uint8_t cmd = 0;
  int error = 0;           // for NLMSG_ERROR
  std::string error_msg;   // PVL_A_ERROR_MSG of an NLMSG_ERROR
  std::vector<uint8_t> payload;  // attributes after pvl_ctlhdr

  absl::StatusOr<AttrView> Attrs() const { return AttrView::Parse(payload.data(), payload.size()); }
};

// Splits a datagram into messages (several may share one datagram). Bounds-checked.
absl::StatusOr<std::vector<Message>> ParseMessages(const void* data, size_t len);

}  // namespace pvland::ctl
