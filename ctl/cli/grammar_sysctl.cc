// sysctl -w KEY=VALUE ... | sysctl [-n] KEY ...: the kernel's knob names, in the shape of
// sysctl(8). Keys and values are checked by the daemon, which knows which knobs exist
// and applies a -w list all or nothing; here only the shape of each word is checked.
#include <set>
#include <string>
#include <vector>

#include "ctl/cli/args.h"
#include "include/pvland/strings.h"

namespace pvland::ctl::grammar {
namespace {

absl::Status CheckKey(std::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("empty key");
  for (unsigned char c : key) {
    if (c <= ' ' || c == 0x7f)
      return absl::InvalidArgumentError(text::Cat("key '", key, "' contains a blank or control character"));
  }
  return absl::OkStatus();
}

struct Setting {
  std::string_view key;
  std::string_view value;
};

absl::StatusOr<Command> Parse(Args& a, uint32_t seq) {
  bool write = false;
  bool value_only = false;
  // Options come first, as for sysctl(8); a later "-x" is taken as a (bad) key.
  while (a.Peek().starts_with("-")) {
    const std::string_view opt = a.Next();
    if (opt == "-w") {
      write = true;
    } else if (opt == "-n") {
      value_only = true;
    } else {
      return a.Error(text::Cat("unknown option '", opt, "'; expected -w or -n"));
    }
  }
  if (write && value_only) return a.Error("-n applies to reads, not to -w");
  if (a.empty()) return a.Error(write ? "missing KEY=VALUE" : "missing KEY");

  std::vector<Setting> settings;
  std::set<std::string_view> seen;
  while (!a.empty()) {
    const std::string_view word = a.Next();
    Setting s{word, {}};
    const size_t eq = word.find('=');
    if (write) {
      if (eq == std::string_view::npos)
        return a.Error(text::Cat("expected KEY=VALUE, got '", word, "'"));
      s.key = word.substr(0, eq);
      s.value = word.substr(eq + 1);
      if (s.value.empty()) return a.Error(text::Cat("'", word, "' has no value"));
    } else if (eq != std::string_view::npos) {
      return a.Error(text::Cat("'", word, "' is a setting; write it with sysctl -w"));
    }
    if (absl::Status st = CheckKey(s.key); !st.ok()) return a.Wrap(st);
    // Twice in one all-or-nothing write would make the outcome depend on order.
    if (!seen.insert(s.key).second) return a.Error(text::Cat("key '", s.key, "' given twice"));
    settings.push_back(s);
  }

  const uint8_t cmd = write ? PVL_CMD_SYSCTL_SET : PVL_CMD_SYSCTL_GET;
  MessageBuilder b = NewRequest(cmd, seq, false);
  nlattr* list = b.NestStart(PVL_A_SETTINGS);
  for (const Setting& s : settings) {
    nlattr* item = b.NestStart(PVL_A_ITEM);
    b.PutString(PVL_A_KEY, s.key);
    if (write) b.PutString(PVL_A_VALUE, s.value);
    b.NestEnd(item);
  }
  b.NestEnd(list);
  auto c = Finish(cmd, b, a);
  if (c.ok()) c->value_only = value_only;
  return c;
}

}  // namespace

const Object& SysctlObject() {
  static const Object* const kSysctl = new Object{
      "sysctl",
      {},
      Parse,
      {"sysctl -w KEY=VALUE [KEY=VALUE ...]", "sysctl [-n] KEY [KEY ...]",
       "  KEY: net.ipv4.conf.{all,default,NAME}.KNOB | net.ipv4.neigh.NAME.{proxy_delay,proxy_qlen}",
       "       NAME: an internal port (neigh has no all or default, as in a non-initial netns)",
       "       net.core.{message_cost,message_burst} (the martian log's budget)",
       "  -w applies every setting or none; -n prints values only"},
  };
  return *kSysctl;
}

}  // namespace pvland::ctl::grammar
