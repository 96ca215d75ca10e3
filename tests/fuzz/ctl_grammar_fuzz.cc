// pvlanctl's grammar over arbitrary text: the input is a batch file (`pvlanctl -b`,
// `pvland -c`), read by ParseBatch (SplitLine's quoting and comments, then ParseCommand,
// every object's keywords and value parsers) and asked for help. Each request the grammar
// builds must be one well-formed message of the command it names, and is then run by the
// daemon's dispatcher as `pvland -c` runs it, over a Bridge with fake ports.
#include <cstdint>
#include <sstream>
#include <string>

#include "ctl/cli/batch.h"
#include "ctl/cli/grammar.h"
#include "tests/fuzz/control_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pvland;
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      auto words = ctl::SplitLine(line);
      if (words.ok()) ctl::HelpText(*words);
    }
  }
  std::istringstream in(text);
  fuzz::ControlHarness control;
  for (const ctl::BatchLine& l : ctl::ParseBatch(in, 1)) {
    if (!l.command.ok()) continue;
    const ctl::Command& c = *l.command;
    auto msgs = ctl::ParseMessages(c.request.data(), c.request.size());
    fuzz::Check(msgs.ok() && msgs->size() == 1 && (*msgs)[0].cmd == c.cmd && (*msgs)[0].Attrs().ok());
    control.RunLocal(c.request);
  }
  return 0;
}
