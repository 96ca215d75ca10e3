// The log budget on simulated time: the kernel's ___ratelimit window, burst and
// "callbacks suppressed" line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/log.h"

namespace pvland {
namespace {

class LogRateLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSinkForTest([this](LogLevel, std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override { SetLogSinkForTest({}); }

  // Tries `n` events; returns how many were allowed.
  int Try(LogRateLimit& limit, int n) {
    int allowed = 0;
    for (int i = 0; i < n; ++i) allowed += limit.Allow() ? 1 : 0;
    return allowed;
  }

  FakeClock clock_;
  std::vector<std::string> lines_;
};

TEST_F(LogRateLimitTest, KernelDefaultsAllowTenPerFiveSeconds) {
  LogRateLimit limit("net_ratelimit", clock_);
  EXPECT_EQ(Try(limit, 25), 10);
  EXPECT_EQ(limit.suppressed_pending(), 15u);
  EXPECT_EQ(limit.suppressed_total(), 15u);
  EXPECT_TRUE(lines_.empty()) << "the suppressed count waits for the next window";

  clock_.Advance(5 * kNsPerSec);
  EXPECT_EQ(Try(limit, 1), 0) << "a window lasts the whole interval (the kernel's strict 'before')";
  clock_.Advance(1);
  EXPECT_EQ(Try(limit, 12), 10);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "net_ratelimit: 16 callbacks suppressed");
  EXPECT_EQ(limit.suppressed_pending(), 2u);
  EXPECT_EQ(limit.suppressed_total(), 18u);
}

TEST_F(LogRateLimitTest, QuietWindowPrintsNoSuppressedLine) {
  LogRateLimit limit("martians", clock_);
  EXPECT_EQ(Try(limit, 3), 3);
  clock_.Advance(6 * kNsPerSec);
  EXPECT_EQ(Try(limit, 10), 10);
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(limit.suppressed_total(), 0u);
}

TEST_F(LogRateLimitTest, WindowStartsAtTheFirstEventNotAtConstruction) {
  LogRateLimit limit("x", clock_, kNsPerSec, 2);
  clock_.Advance(100 * kNsPerSec);
  EXPECT_EQ(Try(limit, 3), 2);
  clock_.Advance(kNsPerSec / 2);
  EXPECT_EQ(Try(limit, 1), 0) << "still the window opened by the first event";
}

TEST_F(LogRateLimitTest, ZeroIntervalAllowsEverything) {
  LogRateLimit limit("net_ratelimit", clock_);
  EXPECT_EQ(Try(limit, 12), 10);
  limit.Configure(0, 10);  // net.core.message_cost=0
  EXPECT_EQ(Try(limit, 100), 100);
  limit.Configure(5 * kNsPerSec, 10);
  EXPECT_EQ(Try(limit, 1), 0) << "back on the window that was open";
}

TEST_F(LogRateLimitTest, MacroFormatsOnlyAllowedLines) {
  LogRateLimit limit("x", clock_, kNsPerSec, 1);
  int formatted = 0;
  auto arg = [&] { return ++formatted; };
  PVL_LOG_RATELIMITED(limit, kWarning, "line %d", arg());
  PVL_LOG_RATELIMITED(limit, kWarning, "line %d", arg());
  EXPECT_EQ(formatted, 1);
  EXPECT_EQ(lines_, (std::vector<std::string>{"line 1"}));
}

}  // namespace
}  // namespace pvland
