// pvlanctl's side of the control socket: connect, send one request, collect its reply.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ctl/proto/message.h"

namespace pvland::ctl {

struct Reply {
  std::vector<Message> records;  // PVL_MSG_CTL records, in order
  int error = 0;                 // 0 or -errno from the final NLMSG_ERROR
  std::string error_msg;
};

class Client {
 public:
  // Connects to the daemon's SOCK_SEQPACKET socket at `path`.
  static absl::StatusOr<Client> Connect(const std::string& path);
  Client(Client&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Client& operator=(Client&&) = delete;
  ~Client();

  // Sends one request and reads records until the terminating NLMSG_ERROR.
  absl::StatusOr<Reply> Exchange(absl::Span<const uint8_t> request);
  // After a subscribing Exchange (monitor, capture): the messages of the next datagram.
  // Unavailable when pvland ended the stream; Cancelled when a signal interrupted the wait.
  absl::StatusOr<std::vector<Message>> Receive();

 private:
  explicit Client(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace pvland::ctl
