// The streaming commands: `monitor drops` prints one line (or JSON object) per event,
// `capture` writes pcapng, both until interrupted (SIGINT, SIGTERM), until pvland ends
// the stream, or until the output is closed. Losses pvland reports are printed on stderr.
#pragma once

#include <ostream>
#include <string>

#include "ctl/cli/grammar.h"
#include "ctl/cli/printer.h"
#include "ctl/proto/message.h"

namespace pvland::ctl {

int RunStream(const std::string& sock, const Command& c, OutputFormat f, std::ostream& out, std::ostream& err);

// One monitor event as a text line (no newline):
// "12:00:01.123456 p2 isolated_port from p1 02:..:01 > 02:..:02 ipv4 ... len 98".
std::string EventLine(const AttrView& v);
// The same as one JSON object on one line.
std::string EventJson(const AttrView& v);
// The pcapng comment of a captured drop: "isolated_port on p2 (from p1)".
std::string DropComment(const AttrView& v);

}  // namespace pvland::ctl
