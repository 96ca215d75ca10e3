// Monotonic time for aging and timers, injectable so tests control it.
#pragma once

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

// The coarse clock is enough for aging and costs no syscall (vDSO).
class SystemClock final : public Clock {
 public:
  MonoNs Now() const override;
  static SystemClock& Get();
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
