// The control socket: SOCK_SEQPACKET (message boundaries kept), mode 0600, on the event
// loop. Requests are answered in order; a slow client cannot stall forwarding for more
// than the send timeout. A connection whose request subscribed (monitor, capture) is
// handed to the observer, which never blocks on it; it stays until the client hangs up.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "daemon/control/dispatcher.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/unique_fd.h"

namespace pvland {

class ControlServer {
 public:
  ControlServer(EventLoop& loop, Dispatcher& dispatcher, Observer* observer = nullptr)
      : loop_(loop), dispatcher_(dispatcher), observer_(observer) {}
  ~ControlServer();
  // Binds `path`, replacing a stale socket file but refusing one a live daemon serves.
  absl::Status Listen(const std::string& path);

 private:
  void OnAccept();
  void OnClient(int fd, uint32_t events);
  void Close(int fd);

  EventLoop& loop_;
  Dispatcher& dispatcher_;
  Observer* observer_;
  std::string path_;
  UniqueFd listen_fd_;
  absl::flat_hash_map<int, UniqueFd> clients_;
  absl::flat_hash_set<int> subscribed_;
};

}  // namespace pvland
