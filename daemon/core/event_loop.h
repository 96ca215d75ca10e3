// One epoll loop for the whole daemon: port fds, the control socket, netlink and timers.
// Level-triggered, so a handler that stops early (to keep other ports fair) is called again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "daemon/core/clock.h"
#include "daemon/core/unique_fd.h"

namespace pvland {

class EventLoop {
 public:
  using Handler = std::function<void(uint32_t events)>;

  EventLoop();
  absl::Status Add(int fd, uint32_t events, Handler h);
  void Remove(int fd);
  // Changes the events `fd` is watched for (EPOLLIN, EPOLLOUT) keeping its handler.
  absl::Status Modify(int fd, uint32_t events);
  // A periodic callback driven by a timerfd.
  absl::Status AddTimer(MonoNs period, std::function<void()> cb);
  // Runs until Stop(); returns the first fatal error of epoll_wait.
  absl::Status Run();
  void Stop() { running_ = false; }

 private:
  UniqueFd epfd_;
  bool running_ = false;
  // Handlers are heap-allocated so a handler may Remove() others (or itself) while the
  // loop still holds a pointer from the same epoll_wait batch.
  absl::flat_hash_map<int, std::shared_ptr<Handler>> handlers_;
  std::vector<UniqueFd> timers_;
};

}  // namespace pvland
