// Shared by the printer's back ends: reading one attribute's value generically, by the
// kind its table entry gives it. Not for use outside ctl/cli/printer*.cc.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>

#include "ctl/cli/printer.h"
#include "ctl/proto/message.h"

struct nlattr;

namespace pvland::ctl::printer {

uint16_t Type(const nlattr* a);
// Attribute kind; PVL_K_NONE for types this build does not know.
pvl_attr_kind Kind(const nlattr* a);
// A scalar's value as text: on/off, decimal, string, aa:bb:.., dotted quad.
std::string ScalarText(const nlattr* a);
// The attributes of a nested attribute.
absl::StatusOr<AttrView> NestView(const nlattr* a);

// Text back end (printer_text.cc).
void PrintText(const Command& c, const Reply& r, std::ostream& out);
// JSON back end (printer_json.cc).
void PrintJson(const Reply& r, bool pretty, std::ostream& out);

}  // namespace pvland::ctl::printer
