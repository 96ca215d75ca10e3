// SplitLine (declared in grammar.h): the lexer for batch and config files.
#include "ctl/cli/grammar.h"
#include "include/pvland/strings.h"

namespace pvland::ctl {

absl::StatusOr<std::vector<std::string>> SplitLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // distinguishes an empty quoted word ("") from no word
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    // '\r' counts as a blank so files written on other systems still parse.
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '#' && !in_word) {
      break;  // only at a word's start, so "a#b" stays one word, as in a shell
    } else if (c == '"' || c == '\'') {
      const size_t close = line.find(c, i + 1);
      if (close == std::string_view::npos)
        return absl::InvalidArgumentError(text::Cat("unterminated ", std::string(1, c), " quote"));
      word.append(line.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace pvland::ctl
