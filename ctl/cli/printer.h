// The one printer for replies: text in the style of `ip`/`bridge`, and JSON generated
// from the attribute table (include/pvland/ctl_proto.h), so an attribute added to the
// protocol shows up in `-j` output with no printer change and in text as "key value".
#pragma once

#include <ostream>
#include <string>

#include "ctl/cli/grammar.h"
#include "ctl/proto/client.h"

namespace pvland::ctl {

enum class OutputFormat {
  kText,
  kJson,        // one line per reply
  kJsonPretty,  // indented
};

// Prints the records of `r` for command `c`. A reply without records prints nothing,
// except that a show (a *_GET command) prints "[]" in JSON so scripts always get an
// array. Errors in `r` are not printed here (see ReplyError).
void PrintReply(const Command& c, const Reply& r, OutputFormat f, std::ostream& out);

// The text of a failed reply: the daemon's message, else strerror of its errno.
std::string ReplyError(const Reply& r);

}  // namespace pvland::ctl
