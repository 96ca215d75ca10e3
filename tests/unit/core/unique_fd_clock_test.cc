// UniqueFd closes what it owns exactly once, across moves and resets; the clocks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <utility>

#include "daemon/core/clock.h"
#include "daemon/core/unique_fd.h"

namespace pvland {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

int OpenNull() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(UniqueFdTest, ClosesOnDestruction) {
  int fd = OpenNull();
  {
    UniqueFd u(fd);
    EXPECT_TRUE(u.valid());
    EXPECT_EQ(u.get(), fd);
  }
  EXPECT_FALSE(IsOpen(fd));
}

TEST(UniqueFdTest, MoveTransfersOwnership) {
  int fd = OpenNull();
  UniqueFd a(fd);
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(b.get(), fd);
  UniqueFd c;
  c = std::move(b);
  EXPECT_FALSE(b.valid());
  EXPECT_TRUE(IsOpen(fd));
  c.reset();
  EXPECT_FALSE(IsOpen(fd));
  EXPECT_FALSE(c.valid());
}

TEST(UniqueFdTest, MoveAssignmentClosesTheOldFd) {
  int old_fd = OpenNull(), new_fd = OpenNull();
  UniqueFd a(old_fd);
  a = UniqueFd(new_fd);
  EXPECT_FALSE(IsOpen(old_fd));
  EXPECT_TRUE(IsOpen(new_fd));
}

TEST(UniqueFdTest, SelfMoveKeepsTheFd) {
  int fd = OpenNull();
  UniqueFd a(fd);
  UniqueFd& alias = a;
  a = std::move(alias);
  EXPECT_EQ(a.get(), fd);
  EXPECT_TRUE(IsOpen(fd));
}

TEST(UniqueFdTest, ResetReplacesAndAnInvalidFdIsNotClosed) {
  int first = OpenNull(), second = OpenNull();
  UniqueFd u(first);
  u.reset(second);
  EXPECT_FALSE(IsOpen(first));
  EXPECT_EQ(u.get(), second);
  UniqueFd none;
  EXPECT_FALSE(none.valid());
  EXPECT_EQ(none.get(), -1);
}

TEST(ClockTest, FakeClockMovesOnlyWhenAdvanced) {
  FakeClock c(5 * kNsPerSec);
  EXPECT_EQ(c.Now(), 5 * kNsPerSec);
  c.Advance(250 * kNsPerMs);
  EXPECT_EQ(c.Now(), 5 * kNsPerSec + 250 * kNsPerMs);
}

TEST(ClockTest, SystemClockIsMonotonic) {
  const MonoNs a = SystemClock::Get().Now();
  usleep(20000);
  const MonoNs b = SystemClock::Get().Now();
  EXPECT_GT(a, 0);
  EXPECT_GE(b - a, 10 * kNsPerMs);  // the coarse clock ticks every few ms
}

}  // namespace
}  // namespace pvland
