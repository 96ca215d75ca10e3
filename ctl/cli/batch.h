// Batch files (`pvlanctl -b FILE`, `pvland -c FILE`): one command per line, the same
// grammar as the command line, with SplitLine's quoting and '#' comments.
//
// The whole file is parsed before anything is sent, so a typo on line 40 is reported
// before lines 1-39 have changed the switch.
#pragma once

#include <cstdint>
#include <istream>
#include <vector>

#include "absl/status/statusor.h"
#include "ctl/cli/grammar.h"

namespace pvland::ctl {

struct BatchLine {
  int line = 0;                     // 1-based line number in the file
  absl::StatusOr<Command> command;  // the request, or what is wrong with the line
};

// Reads `in` to its end and parses each line that has words, numbering requests
// first_seq, first_seq + 1, ...; blank and comment-only lines are left out.
std::vector<BatchLine> ParseBatch(std::istream& in, uint32_t first_seq);

}  // namespace pvland::ctl
