// Minimal logging facade (Abseil 20220623 has no absl/log): severity, printf-style
// formatting through absl::StrFormat, stderr sink, and a capture hook for tests.
//
// Anything a flood of frames can trigger (martian lines, per-frame warnings) logs
// through a LogRateLimit with PVL_LOG_RATELIMITED, so a sender cannot turn pvland's
// stderr into its amplifier, exactly as the kernel guards its own such lines with
// net_ratelimit().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"
#include "daemon/core/clock.h"

namespace pvland {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

void LogLine(LogLevel level, std::string_view msg);
void SetLogLevel(LogLevel min);
// Replaces the stderr sink (tests capture lines); an empty function restores stderr.
void SetLogSinkForTest(std::function<void(LogLevel, std::string_view)> sink);

// A budget of log lines per time window, as the kernel's ___ratelimit keeps one
// (lib/ratelimit.c): at most `burst` lines per `interval`; the first call after the
// window ends opens a new one and, if lines were refused in the old one, first logs
// "NAME: N callbacks suppressed" (the kernel's wording). The defaults are
// net_ratelimit()'s: net.core.message_burst 10 per net.core.message_cost 5 s.
class LogRateLimit {
 public:
  static constexpr MonoNs kDefaultInterval = 5 * kNsPerSec;
  static constexpr int kDefaultBurst = 10;

  LogRateLimit(std::string name, const Clock& clock, MonoNs interval = kDefaultInterval,
               int burst = kDefaultBurst)
      : name_(std::move(name)), clock_(clock), interval_(interval), burst_(burst) {}

  // True when one more line (or group of lines about one event) may be logged now.
  // An interval of 0 allows everything, as in the kernel.
  bool Allow();

  // Changes the budget (net.core.message_cost / message_burst written); the current
  // window and its counts carry on.
  void Configure(MonoNs interval, int burst) {
    interval_ = interval;
    burst_ = burst;
  }

  // Events refused since this limiter was made, including those already reported.
  uint64_t suppressed_total() const { return suppressed_total_; }
  // Events refused in the current window, not yet reported.
  uint64_t suppressed_pending() const { return missed_; }

 private:
  std::string name_;
  const Clock& clock_;
  MonoNs interval_;
  int burst_;
  bool started_ = false;
  MonoNs begin_ = 0;
  int printed_ = 0;
  uint64_t missed_ = 0;
  uint64_t suppressed_total_ = 0;
};

}  // namespace pvland

#define PVL_LOG(level, ...) ::pvland::LogLine(::pvland::LogLevel::level, ::absl::StrFormat(__VA_ARGS__))
// PVL_LOG under a LogRateLimit: nothing is formatted when the line is refused.
#define PVL_LOG_RATELIMITED(limit, level, ...) \
  do {                                         \
    if ((limit).Allow()) PVL_LOG(level, __VA_ARGS__); \
  } while (0)
