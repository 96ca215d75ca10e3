// ParseCommand and HelpText: find the object and verb, then hand the rest of the words
// to that verb's parser (grammar_<object>.cc). The object tables are also the help text,
// so usage cannot drift from what is accepted.
#include <string>
#include <vector>

#include "ctl/cli/args.h"
#include "include/pvland/strings.h"

namespace pvland::ctl {
namespace {

using grammar::Args;
using grammar::Object;

absl::Span<const Object* const> Objects() {
  static const Object* const kObjects[] = {
      &grammar::PortObject(),   &grammar::VlanObject(),   &grammar::FdbObject(),
      &grammar::StatsObject(),  &grammar::BridgeObject(), &grammar::SysctlObject(),
      &grammar::RouteObject(),  &grammar::NeighObject(),  &grammar::ConntrackObject(), &grammar::MonitorObject(),
      &grammar::CaptureObject(), &grammar::WhyObject(),   &grammar::SaveObject(), &grammar::MirrorObject(),
  };
  return kObjects;
}

const Object* FindObject(std::string_view name) {
  for (const Object* o : Objects()) {
    if (o->name == name) return o;
  }
  return nullptr;
}

std::string ObjectNames() {
  std::vector<std::string_view> names;
  for (const Object* o : Objects()) names.push_back(o->name);
  return text::Join(names, ", ");
}

std::string VerbNames(const Object& o) {
  std::vector<std::string_view> names;
  for (const auto& v : o.verbs) names.push_back(v.name);
  return text::Join(names, ", ");
}

void AppendUsage(const Object& o, std::string& out) {
  for (const auto& v : o.verbs) text::Append(&out, v.usage, "\n");
  for (std::string_view line : o.usage) text::Append(&out, line, "\n");
}

absl::Status Invalid(std::string msg) { return absl::InvalidArgumentError(std::move(msg)); }

}  // namespace

absl::StatusOr<Command> ParseCommand(absl::Span<const std::string> words, uint32_t seq) {
  if (words.empty()) return Invalid(text::Cat("missing OBJECT; expected one of: ", ObjectNames()));
  if (words[0] == "help") return Invalid("'help' prints usage and sends nothing");
  const Object* o = FindObject(words[0]);
  if (o == nullptr)
    return Invalid(text::Cat("unknown object '", words[0], "'; expected one of: ", ObjectNames()));
  if (o->verbs.empty()) {
    Args a(words.subspan(1), std::string(o->name));
    return o->direct(a, seq);
  }
  if (words.size() < 2)
    return Invalid(text::Cat(o->name, ": missing verb; expected one of: ", VerbNames(*o)));
  for (const auto& v : o->verbs) {
    if (v.name == words[1]) {
      Args a(words.subspan(2), text::Cat(o->name, " ", v.name));
      return v.parse(a, seq);
    }
  }
  if (words[1] == "help")
    return Invalid(text::Cat(o->name, ": 'help' prints usage and sends nothing"));
  return Invalid(text::Cat(o->name, ": unknown verb '", words[1], "'; expected one of: ", VerbNames(*o)));
}

std::optional<std::string> HelpText(absl::Span<const std::string> words) {
  if (words.size() == 1 && words[0] == "help") {
    std::string out =
        "usage: pvlanctl [-s SOCK] [-j] [-p] OBJECT VERB ...\n"
        "       pvlanctl [-s SOCK] [-j] [-p] -b FILE [-force]\n"
        "       pvlanctl help | OBJECT help\n"
        "  -s SOCK  control socket (default " PVL_CTL_DEFAULT_SOCK ")\n"
        "  -j       JSON output; -p pretty-printed JSON\n"
        "  -b FILE  one command per line (\"-\": stdin); stops at the first failure\n"
        "           unless -force\n"
        "commands:\n";
    for (const Object* o : Objects()) AppendUsage(*o, out);
    return out;
  }
  if (words.size() == 2 && (words[1] == "help" || words[0] == "help")) {
    const Object* o = FindObject(words[1] == "help" ? words[0] : words[1]);
    if (o == nullptr) return std::nullopt;
    std::string out = "usage:\n";
    AppendUsage(*o, out);
    return out;
  }
  return std::nullopt;
}

}  // namespace pvland::ctl
