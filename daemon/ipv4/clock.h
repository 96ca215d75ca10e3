// Time source for the proxy delay queue, injectable so tests run on simulated time.
// absl::Time based so deadlines print and compare without unit mistakes.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace pvland::ipv4 {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// Simulated time: only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1'000'000))
      : now_(start) {}
  absl::Time Now() const override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }
  void Set(absl::Time t) { now_ = t; }

 private:
  absl::Time now_;
};

}  // namespace pvland::ipv4
