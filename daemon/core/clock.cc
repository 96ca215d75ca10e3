#include "daemon/core/clock.h"

#include <ctime>

namespace pvland {

MonoNs SystemClock::Now() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<MonoNs>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

SystemClock& SystemClock::Get() {
  static SystemClock clock;
  return clock;
}

}  // namespace pvland
