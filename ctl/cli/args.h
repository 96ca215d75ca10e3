// Internal to the grammar (not for the daemon): the word cursor each object parser
// walks, the KEY [VALUE] list parser they share, request construction, and the
// object/verb tables that grammar.cc dispatches on and prints as help.
//
// Every error leaves here prefixed with the command's context ("port set: ..."), so a
// message always says which command it is about, even deep in a batch file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ctl/cli/grammar.h"
#include "ctl/proto/message.h"

namespace pvland::ctl::grammar {

class Args {
 public:
  Args(absl::Span<const std::string> words, std::string context)
      : words_(words), context_(std::move(context)) {}

  bool empty() const { return pos_ >= words_.size(); }
  size_t remaining() const { return words_.size() - pos_; }
  // The current word; "" when none is left.
  std::string_view Peek() const { return empty() ? std::string_view() : words_[pos_]; }
  // Consumes the current word; "" when none is left.
  std::string_view Next() { return empty() ? std::string_view() : words_[pos_++]; }
  // Consumes the current word, or fails with "CONTEXT: missing WHAT".
  absl::StatusOr<std::string_view> Need(std::string_view what);
  // Fails on a word left over: "CONTEXT: unexpected argument 'x'".
  absl::Status Done() const;
  // "CONTEXT: msg", as InvalidArgument.
  absl::Status Error(std::string_view msg) const;
  // Adds the context to a value parser's error; OK passes through.
  absl::Status Wrap(const absl::Status& s) const;
  const std::string& context() const { return context_; }

 private:
  absl::Span<const std::string> words_;
  size_t pos_ = 0;
  std::string context_;
};

// One keyword of a KEY [VALUE] list; `apply` gets the value ("" for a flag) and returns
// an error without context (Args adds it).
struct Keyword {
  std::string_view name;
  bool takes_value;
  std::function<absl::Status(std::string_view value)> apply;
  bool repeatable = false;  // a list given one value at a time (`remote A remote B`)
};

// Consumes every remaining word as keywords of `table`, in any order, each at most once
// unless it is repeatable.
// Errors: unknown keyword (listing the table), a value missing, a keyword repeated.
absl::Status ParseKeywords(Args& args, absl::Span<const Keyword> table);

// A request for `cmd`: NLM_F_REQUEST, plus NLM_F_DUMP when it asks for every object.
MessageBuilder NewRequest(uint8_t cmd, uint32_t seq, bool dump);
// The finished command, or an error if the message outgrew PVL_CTL_MSG_MAX.
absl::StatusOr<Command> Finish(uint8_t cmd, const MessageBuilder& b, const Args& args);

using VerbFn = absl::StatusOr<Command> (*)(Args& args, uint32_t seq);

struct Verb {
  std::string_view name;
  std::string_view usage;  // the full line, "port add IFNAME"
  VerbFn parse;
};

struct Object {
  std::string_view name;
  std::vector<Verb> verbs;   // empty when the object takes no verb (sysctl)
  VerbFn direct = nullptr;   // parses the words after the object when `verbs` is empty
  std::vector<std::string_view> usage;  // lines printed after the verbs' (keys, notes)
};

// One table per object, each defined in the file that parses that object.
const Object& PortObject();
const Object& VlanObject();
const Object& FdbObject();
const Object& StatsObject();
const Object& BridgeObject();
const Object& SysctlObject();
const Object& RouteObject();
const Object& NeighObject();
const Object& ConntrackObject();
const Object& MonitorObject();
const Object& CaptureObject();
const Object& WhyObject();
const Object& SaveObject();
const Object& MirrorObject();

}  // namespace pvland::ctl::grammar
