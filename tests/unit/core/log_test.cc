// The log facade: printf-style formatting, the minimum level, the test sink, and the
// stderr line format "pvland[SECONDS.MILLIS] LEVEL: message".
#include "daemon/core/log.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace pvland {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSinkForTest([this](LogLevel l, std::string_view m) { lines_.emplace_back(l, std::string(m)); });
  }
  void TearDown() override {
    SetLogSinkForTest({});
    SetLogLevel(LogLevel::kInfo);
  }
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

TEST_F(LogTest, FormatsArgumentsLikeStrFormat) {
  PVL_LOG(kWarning, "port %s: %d frames, %.1f%%", std::string("p1"), 42, 12.5);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].first, LogLevel::kWarning);
  EXPECT_EQ(lines_[0].second, "port p1: 42 frames, 12.5%");
}

TEST_F(LogTest, LinesBelowTheMinimumLevelAreDropped) {
  PVL_LOG(kDebug, "hidden by default");
  PVL_LOG(kInfo, "shown");
  SetLogLevel(LogLevel::kError);
  PVL_LOG(kWarning, "hidden now");
  PVL_LOG(kError, "still shown");
  SetLogLevel(LogLevel::kDebug);
  PVL_LOG(kDebug, "debug shown");
  std::vector<std::string> texts;
  for (auto& [l, m] : lines_) texts.push_back(m);
  EXPECT_THAT(texts, ::testing::ElementsAre("shown", "still shown", "debug shown"));
}

TEST(LogStderrTest, WritesOneLineWithTimeLevelAndMessage) {
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  std::FILE* tmp = std::tmpfile();
  ASSERT_NE(tmp, nullptr);
  dup2(fileno(tmp), STDERR_FILENO);
  PVL_LOG(kError, "cannot open %s", std::string("p9"));
  PVL_LOG(kInfo, "second");
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::rewind(tmp);
  char buf[512] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, tmp);
  std::fclose(tmp);
  const std::string out(buf, n);
  EXPECT_THAT(out, ::testing::MatchesRegex("pvland\\[[0-9]+\\.[0-9]{3}\\] error: cannot open p9\n"
                                           "pvland\\[[0-9]+\\.[0-9]{3}\\] info: second\n"));
}

}  // namespace
}  // namespace pvland
