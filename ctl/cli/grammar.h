// The pvlanctl command grammar: words in, exactly one control request message out.
//
// Shared by pvlanctl (command line and `-b FILE`) and by the daemon (`pvland -c FILE`),
// so a line means the same thing wherever it is written. Keywords match exactly (no
// prefixes: "sh" is not "show"), values are validated here, and a word that does not
// fit is an error naming the word and what was expected; nothing half-parsed is ever
// returned. The daemon still validates everything it receives: this layer exists to
// give precise messages before anything is sent, not to be trusted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace pvland::ctl {

// Splits one batch/config line into words: blanks separate, "..." and '...' quote (the
// quotes are removed; quoted text may sit next to unquoted text, as in a shell), '#' at
// the start of a word begins a comment. Blank and comment-only lines give no words; an
// unterminated quote is an error.
absl::StatusOr<std::vector<std::string>> SplitLine(std::string_view line);

// Commands whose reply is a stream of events until interrupted, not one answer.
enum class StreamKind : uint8_t { kNone, kMonitor, kCapture };

struct Command {
  uint8_t cmd = 0;               // enum pvl_cmd
  std::vector<uint8_t> request;  // one complete nlmsghdr message
  bool value_only = false;       // sysctl -n: print values without keys
  StreamKind stream = StreamKind::kNone;
  std::string write_to;          // capture -w: a file, or "-" for stdout; save: a file, or "" for stdout
};

// Parses OBJECT VERB ARGS into exactly one request message with sequence number `seq`.
// Errors say precisely what is wrong, prefixed with the object and verb
// ("port set: unknown key 'isolatd'; expected one of: ...").
absl::StatusOr<Command> ParseCommand(absl::Span<const std::string> words, uint32_t seq);

// A tcpdump filter expression compiled by libpcap for Ethernet frames: the struct
// bpf_insn array `capture` sends. The error quotes libpcap's message.
absl::StatusOr<std::vector<uint8_t>> CompileCaptureFilter(const std::string& expr);

// Usage text when `words` ask for help ("help", "OBJECT help"); nullopt otherwise.
std::optional<std::string> HelpText(absl::Span<const std::string> words);

}  // namespace pvland::ctl
