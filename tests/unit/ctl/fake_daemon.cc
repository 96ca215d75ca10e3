#include "tests/unit/ctl/fake_daemon.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "tests/unit/ctl/decode.h"

namespace pvland::ctl::testing {

FakeDaemon::FakeDaemon(Handler handler) : handler_(std::move(handler)) {
  char tmpl[] = "/tmp/pvlctl-test.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
  dir_ = tmpl;
  path_ = dir_ + "/ctl.sock";
  listen_fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      listen(listen_fd_, 4) != 0)
    throw std::runtime_error("cannot listen on " + path_);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { Serve(); });
}

FakeDaemon::~FakeDaemon() {
  const uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof one);
  thread_.join();
  close(listen_fd_);
  close(stop_fd_);
  std::filesystem::remove_all(dir_);
}

std::vector<std::string> FakeDaemon::requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeDaemon::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ServeConnection(fd);
    close(fd);
  }
}

void FakeDaemon::ServeConnection(int fd) {
  std::vector<uint8_t> buf(PVL_CTL_MSG_MAX);
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return;  // the client closed its end
    std::vector<uint8_t> bytes(buf.begin(), buf.begin() + n);
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(DescribeRequest(bytes));
    }
    auto msgs = ParseMessages(bytes.data(), bytes.size());
    if (!msgs.ok()) return;
    for (const Message& m : *msgs) {
      for (const auto& d : handler_(m)) send(fd, d.data(), d.size(), MSG_NOSIGNAL);
    }
  }
}

std::vector<uint8_t> RecordFor(const Message& request, const std::function<void(MessageBuilder&)>& fill) {
  MessageBuilder b(PVL_MSG_CTL, NLM_F_MULTI, request.seq, request.cmd);
  fill(b);
  return {b.bytes().begin(), b.bytes().end()};
}

std::vector<uint8_t> AckFor(const Message& request, int error, std::string_view msg) {
  return BuildAck(request.seq, error, msg);
}

}  // namespace pvland::ctl::testing
