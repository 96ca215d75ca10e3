#include "daemon/control/server.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/core/log.h"

namespace pvland {

ControlServer::~ControlServer() {
  if (listen_fd_.valid()) unlink(path_.c_str());
}

absl::Status ControlServer::Listen(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) return absl::InvalidArgumentError("socket path too long");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);

  // A socket file nobody answers on is left over from a crash: remove it.
  {
    UniqueFd probe(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (connect(probe.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0)
      return absl::AlreadyExistsError(absl::StrCat("another pvland serves ", path));
    if (errno == ECONNREFUSED) unlink(path.c_str());
  }
  listen_fd_.reset(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listen_fd_.valid()) return absl::ErrnoToStatus(errno, "control socket");
  const mode_t old = umask(0177);  // 0600 from the start: no window where others may connect
  const int rc = bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  umask(old);
  if (rc < 0) return absl::ErrnoToStatus(errno, absl::StrCat("bind ", path));
  path_ = path;
  if (listen(listen_fd_.get(), 16) < 0) return absl::ErrnoToStatus(errno, "listen");
  return loop_.Add(listen_fd_.get(), EPOLLIN, [this](uint32_t) { OnAccept(); });
}

void ControlServer::OnAccept() {
  for (;;) {
    int fd = accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    // Sends block (bounded) so a long dump is delivered whole; reads are event driven.
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    clients_[fd] = UniqueFd(fd);
    if (!loop_.Add(fd, EPOLLIN, [this, fd](uint32_t ev) { OnClient(fd, ev); }).ok()) clients_.erase(fd);
  }
}

void ControlServer::Close(int fd) {
  if (subscribed_.erase(fd) != 0 && observer_ != nullptr) observer_->Unsubscribe(fd);
  loop_.Remove(fd);
  clients_.erase(fd);
}

void ControlServer::OnClient(int fd, uint32_t) {
  std::vector<uint8_t> buf(PVL_CTL_MSG_MAX);
  ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  // Data first: a client may send its last request and hang up before we read it.
  if (n <= 0 || static_cast<size_t>(n) > buf.size()) {
    if (n > 0) PVL_LOG(kWarning, "control: request of %d bytes exceeds %d, closing", n, PVL_CTL_MSG_MAX);
    Close(fd);
    return;
  }
  // A subscriber only listens: anything it sends is ignored.
  if (subscribed_.contains(fd)) return;
  bool ok = true;
  std::optional<SubscribeSpec> sub =
      dispatcher_.HandleDatagram(buf.data(), static_cast<size_t>(n), [&](const std::vector<uint8_t>& reply) {
        if (ok && send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) ok = false;
      });
  if (ok && sub && observer_ != nullptr) {
    if (auto s = observer_->Subscribe(fd, std::move(*sub)); s.ok()) {
      subscribed_.insert(fd);
      return;
    } else {
      PVL_LOG(kWarning, "control: subscription refused: %s", s.ToString());
      ok = false;
    }
  }
  if (!ok) Close(fd);
}

}  // namespace pvland
