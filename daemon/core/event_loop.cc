#include "daemon/core/event_loop.h"

#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <cerrno>

namespace pvland {

EventLoop::EventLoop() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {}

absl::Status EventLoop::Add(int fd, uint32_t events, Handler h) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) return absl::ErrnoToStatus(errno, "epoll_ctl add");
  handlers_[fd] = std::make_shared<Handler>(std::move(h));
  return absl::OkStatus();
}

void EventLoop::Remove(int fd) {
  epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

absl::Status EventLoop::Modify(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epfd_.get(), EPOLL_CTL_MOD, fd, &ev) < 0) return absl::ErrnoToStatus(errno, "epoll_ctl mod");
  return absl::OkStatus();
}

absl::Status EventLoop::AddTimer(MonoNs period, std::function<void()> cb) {
  UniqueFd tfd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!tfd.valid()) return absl::ErrnoToStatus(errno, "timerfd_create");
  itimerspec its{};
  its.it_interval.tv_sec = period / kNsPerSec;
  its.it_interval.tv_nsec = period % kNsPerSec;
  its.it_value = its.it_interval;
  if (timerfd_settime(tfd.get(), 0, &its, nullptr) < 0) return absl::ErrnoToStatus(errno, "timerfd_settime");
  int fd = tfd.get();
  timers_.push_back(std::move(tfd));
  return Add(fd, EPOLLIN, [fd, cb = std::move(cb)](uint32_t) {
    uint64_t expirations;
    if (read(fd, &expirations, sizeof expirations) > 0) cb();
  });
}

absl::Status EventLoop::Run() {
  running_ = true;
  epoll_event events[64];
  while (running_) {
    int n = epoll_wait(epfd_.get(), events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "epoll_wait");
    }
    for (int i = 0; i < n && running_; ++i) {
      auto it = handlers_.find(events[i].data.fd);
      if (it == handlers_.end()) continue;
      std::shared_ptr<Handler> h = it->second;
      (*h)(events[i].events);
    }
  }
  return absl::OkStatus();
}

}  // namespace pvland
