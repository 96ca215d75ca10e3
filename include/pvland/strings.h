// The bridge between std::string_view, used across the tree's APIs, and this Abseil
// build's own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW is 0): absl::StrCat,
// StrJoin, StrSplit and the Strip functions do not accept std::string_view. Either
// convert at the call (Av, Sv) or use the few text:: functions that take both.
// (absl::StrFormat does accept std::string_view.)
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace pvland {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

namespace text {

inline void AppendPart(std::string& s, std::string_view v) { s.append(v); }
// absl::Status::message() is an absl::string_view.
template <std::same_as<absl::string_view> V>
void AppendPart(std::string& s, V v) {
  s.append(v.data(), v.size());
}
template <std::integral I>
void AppendPart(std::string& s, I v) {
  s += std::to_string(v);
}

// Concatenates strings and integers.
template <typename... T>
std::string Cat(const T&... parts) {
  std::string s;
  (AppendPart(s, parts), ...);
  return s;
}

template <typename... T>
void Append(std::string* s, const T&... parts) {
  (AppendPart(*s, parts), ...);
}

template <typename Strings>
std::string Join(const Strings& parts, std::string_view sep) {
  std::string s;
  bool first = true;
  for (const auto& p : parts) {
    Append(&s, first ? "" : sep, p);
    first = false;
  }
  return s;
}

// Every piece between separators, empty ones included ("a,,b" has three).
inline std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace text
}  // namespace pvland
