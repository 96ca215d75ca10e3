// The epoll loop over pipes and eventfds: handlers run for ready fds, a handler may remove
// itself or another, Stop() ends Run(), and timers fire periodically.
#include "daemon/core/event_loop.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "daemon/core/unique_fd.h"

namespace pvland {
namespace {

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    r.reset(fds[0]);
    w.reset(fds[1]);
  }
  void Write(char c) { ASSERT_EQ(write(w.get(), &c, 1), 1); }
  UniqueFd r, w;
};

UniqueFd MakeEventFd() { return UniqueFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)); }
void Signal(const UniqueFd& efd) {
  uint64_t one = 1;
  ASSERT_EQ(write(efd.get(), &one, sizeof one), static_cast<ssize_t>(sizeof one));
}

TEST(EventLoopTest, RunsTheHandlerOfAReadableFdWithItsEvents) {
  EventLoop loop;
  Pipe p;
  std::string got;
  uint32_t seen = 0;
  ASSERT_TRUE(loop.Add(p.r.get(), EPOLLIN, [&](uint32_t ev) {
                    seen = ev;
                    char c;
                    while (read(p.r.get(), &c, 1) == 1) got += c;
                    loop.Stop();
                  }).ok());
  p.Write('x');
  p.Write('y');
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(got, "xy");
  EXPECT_TRUE(seen & EPOLLIN);
}

TEST(EventLoopTest, LevelTriggeredHandlersAreCalledAgainUntilDrained) {
  EventLoop loop;
  UniqueFd efd = MakeEventFd();
  int calls = 0;
  ASSERT_TRUE(loop.Add(efd.get(), EPOLLIN, [&](uint32_t) {
                    // Leave the counter set twice, drain on the third call.
                    if (++calls == 3) {
                      uint64_t v;
                      ASSERT_EQ(read(efd.get(), &v, sizeof v), static_cast<ssize_t>(sizeof v));
                      loop.Stop();
                    }
                  }).ok());
  Signal(efd);
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(calls, 3);
}

TEST(EventLoopTest, AHandlerMayRemoveAnotherReadyInTheSameWakeup) {
  EventLoop loop;
  UniqueFd a = MakeEventFd(), b = MakeEventFd(), stop = MakeEventFd();
  int a_calls = 0, b_calls = 0;
  // Whichever of a and b runs first removes the other; the survivor removes itself.
  ASSERT_TRUE(loop.Add(a.get(), EPOLLIN, [&](uint32_t) {
                    ++a_calls;
                    loop.Remove(b.get());
                    loop.Remove(a.get());
                    Signal(stop);
                  }).ok());
  ASSERT_TRUE(loop.Add(b.get(), EPOLLIN, [&](uint32_t) {
                    ++b_calls;
                    loop.Remove(a.get());
                    loop.Remove(b.get());
                    Signal(stop);
                  }).ok());
  ASSERT_TRUE(loop.Add(stop.get(), EPOLLIN, [&](uint32_t) { loop.Stop(); }).ok());
  Signal(a);
  Signal(b);
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(a_calls + b_calls, 1);
}

TEST(EventLoopTest, AddingAnInvalidFdFails) {
  EventLoop loop;
  EXPECT_FALSE(loop.Add(-1, EPOLLIN, [](uint32_t) {}).ok());
  Pipe p;
  ASSERT_TRUE(loop.Add(p.r.get(), EPOLLIN, [](uint32_t) {}).ok());
  EXPECT_FALSE(loop.Add(p.r.get(), EPOLLIN, [](uint32_t) {}).ok()) << "the same fd twice";
}

TEST(EventLoopTest, ARemovedFdNoLongerRunsItsHandler) {
  EventLoop loop;
  Pipe p;
  UniqueFd stop = MakeEventFd();
  int calls = 0;
  ASSERT_TRUE(loop.Add(p.r.get(), EPOLLIN, [&](uint32_t) { ++calls; }).ok());
  ASSERT_TRUE(loop.Add(stop.get(), EPOLLIN, [&](uint32_t) { loop.Stop(); }).ok());
  loop.Remove(p.r.get());
  p.Write('x');
  Signal(stop);
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(calls, 0);
}

// The control server waits for room to send (EPOLLOUT) instead of reading requests, and
// back: the handler stays, the events change.
TEST(EventLoopTest, ModifyChangesTheEventsKeepingTheHandler) {
  EventLoop loop;
  Pipe p;
  UniqueFd stop = MakeEventFd();
  std::vector<uint32_t> seen;
  ASSERT_TRUE(loop.Add(p.w.get(), 0, [&](uint32_t ev) {
                    seen.push_back(ev);
                    ASSERT_TRUE(loop.Modify(p.w.get(), 0).ok());
                    Signal(stop);
                  }).ok());
  ASSERT_TRUE(loop.Add(stop.get(), EPOLLIN, [&](uint32_t) { loop.Stop(); }).ok());
  ASSERT_TRUE(loop.Modify(p.w.get(), EPOLLOUT).ok());
  ASSERT_TRUE(loop.Run().ok());
  ASSERT_EQ(seen.size(), 1u) << "a writable pipe, watched for EPOLLOUT once";
  EXPECT_TRUE(seen[0] & EPOLLOUT);
  EXPECT_FALSE(loop.Modify(-1, EPOLLIN).ok());
}

TEST(EventLoopTest, TimersFirePeriodically) {
  EventLoop loop;
  int ticks = 0;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop.AddTimer(10 * kNsPerMs, [&] {
                    if (++ticks == 3) loop.Stop();
                  }).ok());
  ASSERT_TRUE(loop.Run().ok());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(ticks, 3);
  EXPECT_GE(elapsed, std::chrono::milliseconds(30));
}

TEST(EventLoopTest, TwoTimersKeepTheirOwnPeriods) {
  EventLoop loop;
  int fast = 0, slow = 0;
  ASSERT_TRUE(loop.AddTimer(5 * kNsPerMs, [&] { ++fast; }).ok());
  ASSERT_TRUE(loop.AddTimer(60 * kNsPerMs, [&] {
                    ++slow;
                    loop.Stop();
                  }).ok());
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(slow, 1);
  EXPECT_GE(fast, 3);  // 12 periods elapsed; a loaded machine may coalesce some
}

}  // namespace
}  // namespace pvland
