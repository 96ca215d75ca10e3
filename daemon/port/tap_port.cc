#include "daemon/port/tap_port.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace pvland {

absl::StatusOr<std::unique_ptr<TapPort>> TapPort::Create(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return absl::InvalidArgumentError(absl::StrCat("interface name '", name, "' must be 1-15 characters"));
  if (if_nametoindex(name.c_str()) != 0)
    return absl::AlreadyExistsError(absl::StrCat("an interface named '", name, "' already exists"));

  std::unique_ptr<TapPort> port(new TapPort());
  port->fd_.reset(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!port->fd_.valid()) return absl::ErrnoToStatus(errno, "open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (ioctl(port->fd_.get(), TUNSETIFF, &ifr) < 0) return absl::ErrnoToStatus(errno, "TUNSETIFF " + name);

  // Bring it up so the kernel passes frames both ways from the start.
  UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) return absl::ErrnoToStatus(errno, "SIOCGIFFLAGS " + name);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) return absl::ErrnoToStatus(errno, "SIOCSIFFLAGS " + name);
  port->ifindex_ = static_cast<int>(if_nametoindex(name.c_str()));
  return port;
}

size_t TapPort::Receive(PacketBatch& batch) {
  size_t n = 0;
  while (!batch.full() && next_buf_ < kBatchSize) {
    uint8_t* buf = bufs_.data() + next_buf_ * kBufSize;
    ssize_t len = read(fd_.get(), buf, kBufSize);
    if (len <= 0) break;  // EAGAIN: nothing pending; errors surface through epoll
    ++next_buf_;
    Packet& p = batch.Append();
    p.frame = buf;
    p.len = static_cast<uint32_t>(len);
    p.wire_len = p.len;
    ++n;
  }
  return n;
}

SendResult TapPort::Send(absl::Span<TxItem> items) {
  SendResult r;
  for (size_t i = 0; i < items.size(); ++i) {
    iovec iov[4];
    int n = BuildIovecs(items[i], iov);
    ssize_t w = writev(fd_.get(), iov, n);
    if (w < 0) {
      items[i].error = errno;
      continue;
    }
    ++r.sent;
    r.bytes += static_cast<uint64_t>(w);
  }
  return r;
}

}  // namespace pvland
