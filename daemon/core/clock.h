// Monotonic time for aging, timers and the ARP proxy delay, injectable so tests
// control it. The one clock of the daemon: everything that waits or ages takes a
// `const Clock&`, and tests advance a FakeClock.
#pragma once

#include <time.h>

#include <cstdint>

namespace pvland {

using MonoNs = int64_t;  // CLOCK_MONOTONIC nanoseconds
inline constexpr MonoNs kNsPerSec = 1'000'000'000;
inline constexpr MonoNs kNsPerMs = 1'000'000;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoNs Now() const = 0;
};

// CLOCK_MONOTONIC (precise) or CLOCK_MONOTONIC_COARSE (one tick, ~4 ms, but no
// syscall and half the cost); both are the same time line, so deadlines taken from
// one can be armed on a CLOCK_MONOTONIC timerfd.
class SystemClock final : public Clock {
 public:
  explicit SystemClock(clockid_t id) : id_(id) {}
  MonoNs Now() const override;
  // The coarse clock: enough for FDB aging and per-batch timestamps.
  static SystemClock& Get();
  // The precise clock: for deadlines a timerfd is armed with (the proxy delay is drawn
  // in 4 ms jiffies, which the coarse clock cannot resolve).
  static SystemClock& Precise();

 private:
  clockid_t id_;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(MonoNs start = 1000 * kNsPerSec) : now_(start) {}
  MonoNs Now() const override { return now_; }
  void Advance(MonoNs d) { now_ += d; }

 private:
  MonoNs now_;
};

}  // namespace pvland
