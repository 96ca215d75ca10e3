#include "ctl/cli/batch.h"

#include <string>

namespace pvland::ctl {

std::vector<BatchLine> ParseBatch(std::istream& in, uint32_t first_seq) {
  std::vector<BatchLine> out;
  std::string text;
  uint32_t seq = first_seq;
  for (int line = 1; std::getline(in, text); ++line) {
    auto words = SplitLine(text);
    if (!words.ok()) {
      out.push_back({line, words.status()});
      continue;
    }
    if (words->empty()) continue;
    out.push_back({line, ParseCommand(*words, seq++)});
  }
  return out;
}

}  // namespace pvland::ctl
