// JSON back end: an array with one object per record, built only from the attribute
// table (key and kind), never from knowledge of a particular command.
#include <libmnl/libmnl.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "ctl/cli/frame_summary.h"
#include "ctl/cli/printer_internal.h"

namespace pvland::ctl::printer {
namespace {

using Json = nlohmann::ordered_json;  // keys in wire order, so output is stable

Json RecordJson(const AttrView& v);

// A nested attribute is either a list of PVL_A_ITEM (an array) or a sub-record (an
// object); an empty nest is taken as an empty list, the only kind the protocol sends.
Json NestJson(const nlattr* a) {
  auto sub = NestView(a);
  if (!sub.ok()) return Json(std::string(sub.status().message()));
  bool list = sub->ordered().empty();
  for (const nlattr* c : sub->ordered()) list = list || Type(c) == PVL_A_ITEM;
  if (!list) return RecordJson(*sub);
  Json arr = Json::array();
  for (const nlattr* c : sub->ordered()) {
    if (Type(c) != PVL_A_ITEM) continue;
    auto item = NestView(c);
    arr.push_back(item.ok() ? RecordJson(*item) : Json(std::string(item.status().message())));
  }
  return arr;
}

Json AttrJson(const nlattr* a) {
  switch (Kind(a)) {
    case PVL_K_BOOL: return mnl_attr_get_u8(a) != 0;
    case PVL_K_U16: return mnl_attr_get_u16(a);
    case PVL_K_U32: return mnl_attr_get_u32(a);
    case PVL_K_S32: return static_cast<int32_t>(mnl_attr_get_u32(a));
    case PVL_K_U64: {
      uint64_t v;
      std::memcpy(&v, mnl_attr_get_payload(a), sizeof v);
      return v;
    }
    case PVL_K_NEST: return NestJson(a);
    default: return ScalarText(a);  // strings, MAC and IPv4 print as their text form
  }
}

Json RecordJson(const AttrView& v) {
  Json obj = Json::object();
  for (const nlattr* a : v.ordered()) obj[Attr(Type(a)).key] = AttrJson(a);
  // A record carrying a frame also carries its one-line summary.
  if (auto frame = v.Binary(PVL_A_FRAME)) obj["summary"] = Summarize(*frame, v.U32(PVL_A_WIRE_LEN).value_or(0)).text;
  return obj;
}

}  // namespace

void PrintJson(const Reply& r, bool pretty, std::ostream& out) {
  Json arr = Json::array();
  for (const Message& m : r.records) {
    auto view = m.Attrs();
    // A record that does not decode is shown, not dropped, so the output never hides one.
    arr.push_back(view.ok() ? RecordJson(*view)
                            : Json{{"error", std::string(view.status().message())}});
  }
  // Interface names are bytes, not UTF-8: replace what JSON cannot carry instead of
  // letting dump() throw.
  out << arr.dump(pretty ? 4 : -1, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace pvland::ctl::printer
