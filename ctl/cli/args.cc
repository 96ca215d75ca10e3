#include "ctl/cli/args.h"

#include <linux/netlink.h>

#include <set>

#include "include/pvland/strings.h"

namespace pvland::ctl::grammar {

absl::StatusOr<std::string_view> Args::Need(std::string_view what) {
  if (empty()) return Error(text::Cat("missing ", what));
  return Next();
}

absl::Status Args::Done() const {
  if (empty()) return absl::OkStatus();
  return Error(text::Cat("unexpected argument '", Peek(), "'"));
}

absl::Status Args::Error(std::string_view msg) const {
  return absl::InvalidArgumentError(text::Cat(context_, ": ", msg));
}

absl::Status Args::Wrap(const absl::Status& s) const {
  if (s.ok()) return s;
  return absl::Status(s.code(), text::Cat(context_, ": ", s.message()));
}

absl::Status ParseKeywords(Args& args, absl::Span<const Keyword> table) {
  std::set<std::string_view> seen;
  while (!args.empty()) {
    const std::string_view word = args.Next();
    const Keyword* kw = nullptr;
    for (const Keyword& k : table) {
      if (k.name == word) kw = &k;
    }
    if (kw == nullptr) {
      std::vector<std::string_view> names;
      for (const Keyword& k : table) names.push_back(k.name);
      return args.Error(text::Cat("unknown key '", word, "'; expected one of: ",
                                     text::Join(names, ", ")));
    }
    // A repeated key would leave the daemon to guess which one was meant.
    if (!seen.insert(kw->name).second && !kw->repeatable)
      return args.Error(text::Cat("key '", word, "' given twice"));
    std::string_view value;
    if (kw->takes_value) {
      if (args.empty()) return args.Error(text::Cat("key '", word, "' needs a value"));
      value = args.Next();
    }
    if (absl::Status s = kw->apply(value); !s.ok()) return args.Wrap(s);
  }
  return absl::OkStatus();
}

MessageBuilder NewRequest(uint8_t cmd, uint32_t seq, bool dump) {
  const uint16_t flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
  return MessageBuilder(PVL_MSG_CTL, flags, seq, cmd);
}

absl::StatusOr<Command> Finish(uint8_t cmd, const MessageBuilder& b, const Args& args) {
  if (b.overflowed())
    return args.Error(text::Cat("request longer than ", PVL_CTL_MSG_MAX, " bytes"));
  Command c;
  c.cmd = cmd;
  c.request.assign(b.bytes().begin(), b.bytes().end());
  return c;
}

}  // namespace pvland::ctl::grammar
