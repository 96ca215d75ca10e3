#include "ctl/proto/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace pvland::ctl {

absl::StatusOr<Client> Client::Connect(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) return absl::InvalidArgumentError("socket path too long");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return absl::ErrnoToStatus(e, absl::StrCat("cannot reach pvland at ", path));
  }
  return Client(fd);
}

Client::~Client() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<Reply> Client::Exchange(absl::Span<const uint8_t> request) {
  // pvland may have refused the connection before reading anything (a peer it does not
  // serve): it said why, then closed. The send fails; the why is still to be read.
  int recv_flags = MSG_TRUNC;
  if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    const int e = errno;
    if (e != EPIPE && e != ECONNRESET) return absl::ErrnoToStatus(e, "send to pvland");
    recv_flags |= MSG_DONTWAIT;
  }
  Reply reply;
  std::vector<uint8_t> buf(PVL_CTL_MSG_MAX);
  for (;;) {
    ssize_t n = recv(fd_, buf.data(), buf.size(), recv_flags);
    if (n < 0 && (recv_flags & MSG_DONTWAIT)) return absl::UnavailableError("pvland closed the connection");
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "receive from pvland");
    }
    if (n == 0) return absl::UnavailableError("pvland closed the connection");
    if (static_cast<size_t>(n) > buf.size()) return absl::DataLossError("reply larger than the buffer");
    auto msgs = ParseMessages(buf.data(), n);
    if (!msgs.ok()) return msgs.status();
    for (auto& m : *msgs) {
      if (m.type == NLMSG_ERROR) {
        reply.error = m.error;
        reply.error_msg = std::move(m.error_msg);
        return reply;
      }
      if (m.type == PVL_MSG_CTL) reply.records.push_back(std::move(m));
    }
  }
}

absl::StatusOr<std::vector<Message>> Client::Receive() {
  std::vector<uint8_t> buf(PVL_CTL_MSG_MAX);
  const ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_TRUNC);
  if (n < 0) {
    if (errno == EINTR) return absl::CancelledError("interrupted");
    return absl::ErrnoToStatus(errno, "receive from pvland");
  }
  if (n == 0) return absl::UnavailableError("pvland ended the stream");
  if (static_cast<size_t>(n) > buf.size()) return absl::DataLossError("event larger than the buffer");
  return ParseMessages(buf.data(), n);
}

}  // namespace pvland::ctl
