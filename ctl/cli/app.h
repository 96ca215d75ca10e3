// pvlanctl's main without the process around it: options, single command or batch,
// talking to the daemon, printing. Taking the streams as arguments lets tests run it
// against a fake daemon and check output and exit status.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "absl/types/span.h"

namespace pvland::ctl {

// `args` are argv[1..]. `in` is read for `-b -`. Returns the exit status: 0 on success,
// 1 when the command line is bad, the daemon cannot be reached or a request failed.
int RunPvlanctl(absl::Span<const std::string> args, std::istream& in, std::ostream& out,
                std::ostream& err);

}  // namespace pvland::ctl
