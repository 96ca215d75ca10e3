#include "daemon/core/log.h"

#include <cstdio>
#include <ctime>

namespace pvland {
namespace {

LogLevel g_min = LogLevel::kInfo;
std::function<void(LogLevel, std::string_view)>& Sink() {
  static auto* sink = new std::function<void(LogLevel, std::string_view)>();
  return *sink;
}

const char* Name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "?";
}

}  // namespace

void SetLogLevel(LogLevel min) { g_min = min; }

void SetLogSinkForTest(std::function<void(LogLevel, std::string_view)> sink) { Sink() = std::move(sink); }

void LogLine(LogLevel level, std::string_view msg) {
  if (level < g_min) return;
  if (Sink()) {
    Sink()(level, msg);
    return;
  }
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  std::fprintf(stderr, "pvland[%ld.%03ld] %s: %.*s\n", static_cast<long>(ts.tv_sec), ts.tv_nsec / 1000000,
               Name(level), static_cast<int>(msg.size()), msg.data());
}

}  // namespace pvland

namespace pvland {

bool LogRateLimit::Allow() {
  if (interval_ == 0) return true;
  const MonoNs now = clock_.Now();
  if (!started_) {
    started_ = true;
    begin_ = now;
  }
  if (now - begin_ > interval_) {
    if (missed_ > 0) LogLine(LogLevel::kWarning, absl::StrFormat("%s: %d callbacks suppressed", name_, missed_));
    missed_ = 0;
    begin_ = now;
    printed_ = 0;
  }
  if (burst_ > printed_) {
    ++printed_;
    return true;
  }
  ++missed_;
  ++suppressed_total_;
  return false;
}

}  // namespace pvland
