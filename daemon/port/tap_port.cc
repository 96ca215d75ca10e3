#include "daemon/port/tap_port.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace pvland {
namespace {
// TUN_F_USO4/6 (Linux 6.2), absent from older uapi headers.
constexpr unsigned kTunUso4 = 0x20;
constexpr unsigned kTunUso6 = 0x40;
}  // namespace

absl::StatusOr<std::unique_ptr<TapPort>> TapPort::Create(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return absl::InvalidArgumentError(absl::StrCat("interface name '", name, "' must be 1-15 characters"));
  if (if_nametoindex(name.c_str()) != 0)
    return absl::AlreadyExistsError(absl::StrCat("an interface named '", name, "' already exists"));

  std::unique_ptr<TapPort> port(new TapPort());
  port->fd_.reset(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!port->fd_.valid()) return absl::ErrnoToStatus(errno, "open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (ioctl(port->fd_.get(), TUNSETIFF, &ifr) < 0) return absl::ErrnoToStatus(errno, "TUNSETIFF " + name);
  // What pvland accepts from the kernel: partial checksums and TCP/UDP super-frames, since
  // every port it forwards to takes them too. USO needs Linux 6.2; without it the kernel
  // segments UDP before the TAP.
  const unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
  if (ioctl(port->fd_.get(), TUNSETOFFLOAD, base | kTunUso4 | kTunUso6) < 0 &&
      ioctl(port->fd_.get(), TUNSETOFFLOAD, base) < 0)
    return absl::ErrnoToStatus(errno, "TUNSETOFFLOAD " + name);

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
  while (!batch.full()) {
    uint8_t* buf = arena_.Reserve();
    if (buf == nullptr) break;
    const ssize_t got = read(fd_.get(), buf, FrameArena::kMaxRead);
    if (got <= 0) break;  // EAGAIN: nothing pending; errors surface through epoll
    arena_.Commit(static_cast<size_t>(got));
    Packet& p = batch.Append();
    std::memcpy(&p.offload, buf, std::min<size_t>(got, sizeof(Offload)));
    p.frame = buf + sizeof(Offload);
    p.len = got > static_cast<ssize_t>(sizeof(Offload)) ? static_cast<uint32_t>(got - sizeof(Offload)) : 0;
    // A read that filled the buffer may have been cut: mark it longer, so it is dropped
    // as oversize rather than forwarded short.
    p.wire_len = static_cast<size_t>(got) == FrameArena::kMaxRead ? p.len + 1 : p.len;
    ++n;
  }
  return n;
}

SendResult TapPort::Send(absl::Span<TxItem> items) {
  SendResult r;
  for (size_t i = 0; i < items.size(); ++i) {
    iovec iov[kMaxTxIovecs];
    int n = BuildIovecs(items[i], iov);
    if (writev(fd_.get(), iov, n) < 0) {
      items[i].error = errno;
      continue;
    }
    ++r.sent;
    r.bytes += items[i].wire_len();
  }
  return r;
}

}  // namespace pvland
