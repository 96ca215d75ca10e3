#include "tests/unit/ctl/decode.h"

#include <linux/netlink.h>

#include <cstdio>
#include <stdexcept>

namespace pvland::ctl::testing {
namespace {

uint16_t TypeOf(const nlattr* a) { return a->nla_type & NLA_TYPE_MASK; }

std::string Hex(const std::array<uint8_t, 6>& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

std::string Value(const AttrView& v, uint16_t t) {
  switch (Attr(t).kind) {
    case PVL_K_BOOL: return *v.Bool(t) ? "on" : "off";
    case PVL_K_U16: return std::to_string(*v.U16(t));
    case PVL_K_U32: return std::to_string(*v.U32(t));
    case PVL_K_S32: return std::to_string(*v.S32(t));
    case PVL_K_U64: return std::to_string(*v.U64(t));
    case PVL_K_STRING: return std::string(*v.String(t));
    case PVL_K_MAC: return Hex(*v.Mac(t));
    case PVL_K_IPV4: {
      const uint32_t h = *v.Ipv4(t);
      return std::to_string(h >> 24) + "." + std::to_string((h >> 16) & 255) + "." +
             std::to_string((h >> 8) & 255) + "." + std::to_string(h & 255);
    }
    case PVL_K_NEST: {
      auto items = v.Items(t);
      if (!items.ok()) return "ERROR";
      std::string s = "[";
      for (size_t i = 0; i < items->size(); ++i)
        s += (i ? "," : "") + std::string("{") + DescribeAttrs((*items)[i]) + "}";
      return s + "]";
    }
    case PVL_K_BINARY: return std::to_string(v.Binary(t)->size()) + "B";
    default: return "?";
  }
}

}  // namespace

std::string DescribeAttrs(const AttrView& v) {
  std::string s;
  for (const nlattr* a : v.ordered()) {
    const uint16_t t = TypeOf(a);
    s += (s.empty() ? "" : " ") + std::string(Attr(t).key) + "=" + Value(v, t);
  }
  return s;
}

std::string DescribeRequest(const std::vector<uint8_t>& bytes, uint32_t* seq) {
  auto msgs = ParseMessages(bytes.data(), bytes.size());
  if (!msgs.ok()) return "ERROR: " + std::string(msgs.status().message());
  if (msgs->size() != 1) return "ERROR: " + std::to_string(msgs->size()) + " messages";
  const Message& m = msgs->front();
  if (m.type != PVL_MSG_CTL) return "ERROR: type " + std::to_string(m.type);
  if (!(m.flags & NLM_F_REQUEST)) return "ERROR: no NLM_F_REQUEST";
  if (seq != nullptr) *seq = m.seq;
  auto attrs = m.Attrs();
  if (!attrs.ok()) return "ERROR: " + std::string(attrs.status().message());
  std::string s(CmdName(m.cmd));
  if ((m.flags & NLM_F_DUMP) == NLM_F_DUMP) s += " dump";
  const std::string a = DescribeAttrs(*attrs);
  return a.empty() ? s : s + " " + a;
}

Message ToMessage(const MessageBuilder& b) {
  if (b.overflowed()) throw std::runtime_error("test record overflowed");
  auto msgs = ParseMessages(b.bytes().data(), b.bytes().size());
  if (!msgs.ok() || msgs->size() != 1) throw std::runtime_error("test record does not parse");
  return std::move(msgs->front());
}

}  // namespace pvland::ctl::testing
