// Minimal logging facade (Abseil 20220623 has no absl/log): severity, printf-style
// formatting through absl::StrFormat, stderr sink, and a capture hook for tests.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

namespace pvland {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

void LogLine(LogLevel level, std::string_view msg);
void SetLogLevel(LogLevel min);
// Replaces the stderr sink (tests capture lines); an empty function restores stderr.
void SetLogSinkForTest(std::function<void(LogLevel, std::string_view)> sink);

}  // namespace pvland

#define PVL_LOG(level, ...) ::pvland::LogLine(::pvland::LogLevel::level, ::absl::StrFormat(__VA_ARGS__))
