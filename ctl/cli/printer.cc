// PrintReply: chooses the back end; and the generic attribute readers both back ends use.
#include "ctl/cli/printer.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include <cstring>

#include "ctl/cli/printer_internal.h"
#include "ctl/cli/values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl {
namespace printer {

uint16_t Type(const nlattr* a) { return mnl_attr_get_type(a); }

pvl_attr_kind Kind(const nlattr* a) { return Attr(Type(a)).kind; }

std::string ScalarText(const nlattr* a) {
  // AttrView::Parse has already checked each known attribute's length against its kind.
  switch (Kind(a)) {
    case PVL_K_BOOL: return mnl_attr_get_u8(a) ? "on" : "off";
    case PVL_K_U16: return text::Cat(mnl_attr_get_u16(a));
    case PVL_K_U32: return text::Cat(mnl_attr_get_u32(a));
    case PVL_K_S32: return text::Cat(static_cast<int32_t>(mnl_attr_get_u32(a)));
    case PVL_K_U64: {
      uint64_t v;
      std::memcpy(&v, mnl_attr_get_payload(a), sizeof v);
      return text::Cat(v);
    }
    case PVL_K_STRING: return mnl_attr_get_str(a);
    case PVL_K_MAC: {
      MacAddr m;
      std::memcpy(m.data(), mnl_attr_get_payload(a), m.size());
      return FormatMac(m);
    }
    case PVL_K_IPV4: {
      uint32_t be;
      std::memcpy(&be, mnl_attr_get_payload(a), sizeof be);
      return FormatIpv4(ntohl(be));
    }
    case PVL_K_BINARY: {
      // Hex, as `xxd -p` prints it.
      static constexpr char kHex[] = "0123456789abcdef";
      const auto* b = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
      std::string s;
      for (size_t i = 0; i < mnl_attr_get_payload_len(a); ++i) {
        s.push_back(kHex[b[i] >> 4]);
        s.push_back(kHex[b[i] & 15]);
      }
      return s;
    }
    case PVL_K_NEST:
    case PVL_K_NONE: break;
  }
  return "";
}

absl::StatusOr<AttrView> NestView(const nlattr* a) {
  return AttrView::Parse(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
}

}  // namespace printer

void PrintReply(const Command& c, const Reply& r, OutputFormat f, std::ostream& out) {
  if (f == OutputFormat::kText) {
    printer::PrintText(c, r, out);
    return;
  }
  // A show always yields an array, even an empty one, so `jq '.[]'` needs no special
  // case; a failed show yields nothing, as the error on stderr is the answer.
  const bool is_show = CmdName(c.cmd).ends_with("_GET");
  if (r.records.empty() && (!is_show || r.error != 0)) return;
  printer::PrintJson(r, f == OutputFormat::kJsonPretty, out);
}

std::string ReplyError(const Reply& r) {
  if (!r.error_msg.empty()) return r.error_msg;
  return std::strerror(-r.error);
}

}  // namespace pvland::ctl
