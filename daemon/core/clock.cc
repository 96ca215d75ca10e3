#include "daemon/core/clock.h"

namespace pvland {

MonoNs SystemClock::Now() const {
  timespec ts;
  clock_gettime(id_, &ts);
  return static_cast<MonoNs>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

SystemClock& SystemClock::Get() {
  static SystemClock clock(CLOCK_MONOTONIC_COARSE);
  return clock;
}

SystemClock& SystemClock::Precise() {
  static SystemClock clock(CLOCK_MONOTONIC);
  return clock;
}

}  // namespace pvland
