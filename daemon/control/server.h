// The control socket: SOCK_SEQPACKET (message boundaries kept), on the event loop that
// also carries every frame, so no client may ever block it:
//  * a peer is judged by its credentials when it connects (peer_access.h); a refused
//    one gets an error message and is closed;
//  * every socket is non-blocking. A reply the client does not read fast enough waits
//    in that client's queue, sent as the socket drains (EPOLLOUT); until it is gone
//    the client's next request is not read, so a client holds at most one reply, and
//    one that reads nothing for kStallTimeout is closed;
//  * a request larger than PVL_CTL_MSG_MAX, or one that does not parse, is answered
//    with an error and the connection goes on; nothing it asked is done.
// A connection whose request subscribed (monitor, capture) is handed to the observer,
// which never blocks on it; it stays until the client hangs up.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "daemon/control/dispatcher.h"
#include "daemon/control/peer_access.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/log.h"
#include "daemon/core/unique_fd.h"

namespace pvland {

class ControlServer {
 public:
  // Connections served at once (monitors included); more are told so and closed.
  static constexpr size_t kMaxClients = 512;
  // A client with a reply pending that takes nothing of it for this long is closed.
  static constexpr MonoNs kStallTimeout = 10 * kNsPerSec;

  ControlServer(EventLoop& loop, Dispatcher& dispatcher, Observer* observer = nullptr,
                ControlAccess access = ControlAccess{});
  ~ControlServer();
  // Binds `path` (mode 0600, or 0660 owned by the access group), replacing a stale
  // socket file but refusing one a live daemon serves.
  absl::Status Listen(const std::string& path);

  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    UniqueFd fd;
    std::deque<std::vector<uint8_t>> out;  // reply datagrams the socket did not take yet
    size_t out_bytes = 0;
    uint32_t armed = 0;                    // the events the loop watches for it
    MonoNs stalled_since = 0;              // when `out` last made no progress
    std::optional<SubscribeSpec> pending_subscription;  // after `out` is delivered
    bool subscribed = false;
    bool dead = false;  // the peer is gone or misbehaved: closed after the current event
  };

  void OnAccept();
  // Tells a connection why it is not served (an NLMSG_ERROR), before it is closed.
  void Refuse(int fd, int error, std::string_view why);
  void OnClient(int fd, uint32_t events);
  void ReadRequest(Client& c);
  // Sends `datagram` now if nothing is queued before it and the socket takes it, else
  // queues it.
  void Queue(Client& c, std::vector<uint8_t> datagram);
  // Sends what is queued until the socket is full; false when the peer is gone.
  bool Flush(Client& c);
  // Reads requests while nothing is queued, else waits for room to send.
  void Rearm(Client& c);
  void StartSubscription(Client& c);
  void CheckStalled();
  void Close(int fd);

  EventLoop& loop_;
  Dispatcher& dispatcher_;
  Observer* observer_;
  ControlAccess access_;
  const Clock& clock_;
  LogRateLimit log_limit_;
  std::string path_;
  UniqueFd listen_fd_;
  bool accept_paused_ = false;  // out of descriptors: until the next CheckStalled
  std::vector<uint8_t> rx_;  // one request datagram
  absl::flat_hash_map<int, std::unique_ptr<Client>> clients_;
};

}  // namespace pvland
