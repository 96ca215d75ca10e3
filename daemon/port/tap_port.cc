#include "daemon/port/tap_port.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "daemon/core/log.h"
#include "daemon/port/endpoint.h"
#include "daemon/port/interface_query.h"

namespace pvland {
namespace {
// TUN_F_USO4/6 (Linux 6.2), absent from older uapi headers.
constexpr unsigned kTunUso4 = 0x20;
constexpr unsigned kTunUso6 = 0x40;
}  // namespace

TapPort::TapPort(std::string name, bool internal, L3DeviceHooks hooks)
    : Port(std::move(name)), internal_(internal), hooks_(std::move(hooks)) {}

TapPort::~TapPort() {
  if (internal_ && announced_ && hooks_.removed) hooks_.removed(name());
}

void TapPort::Close() {
  fd_.reset();
  arena_.Reset();
}

absl::Status TapPort::Open() {
  Close();
  if (auto s = CreateDevice(); !s.ok()) {
    Close();
    return s;
  }
  if (auto info = QueryInterface(name())) mac_ = info->mac;
  if (internal_ && hooks_.opened) {
    if (auto s = hooks_.opened(name(), ifindex_); !s.ok()) {
      Close();
      return s;
    }
    announced_ = true;
  }
  return absl::OkStatus();
}

absl::Status TapPort::CreateDevice() {
  const std::string& name = this->name();
  if (name.empty() || name.size() >= IFNAMSIZ)
    return absl::InvalidArgumentError(absl::StrCat("interface name '", name, "' must be 1-15 characters"));
  if (if_nametoindex(name.c_str()) != 0)
    return absl::AlreadyExistsError(absl::StrCat("an interface named '", name, "' already exists"));

  fd_.reset(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd_.valid()) return absl::ErrnoToStatus(errno, "open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (ioctl(fd_.get(), TUNSETIFF, &ifr) < 0) return absl::ErrnoToStatus(errno, "TUNSETIFF " + name);
  // What pvland accepts from the kernel: partial checksums and TCP/UDP super-frames, since
  // every port it forwards to takes them too. USO needs Linux 6.2; without it the kernel
  // segments UDP before the TAP.
  const unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
  if (ioctl(fd_.get(), TUNSETOFFLOAD, base | kTunUso4 | kTunUso6) < 0 &&
      ioctl(fd_.get(), TUNSETOFFLOAD, base) < 0)
    return absl::ErrnoToStatus(errno, "TUNSETOFFLOAD " + name);

  UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (internal_ && !IsZeroMac(mac_.data())) {
    // Re-created after a deletion: the MAC it had (a failure leaves the kernel's random one).
    ifreq hw = ifr;
    hw.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    std::memcpy(hw.ifr_hwaddr.sa_data, mac_.data(), mac_.size());
    if (ioctl(sock.get(), SIOCSIFHWADDR, &hw) < 0)
      PVL_LOG(kWarning, "%s: cannot restore MAC %s: %s", name, FormatMac(mac_), std::strerror(errno));
  }
  // Bring it up so the kernel passes frames both ways from the start.
  if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) return absl::ErrnoToStatus(errno, "SIOCGIFFLAGS " + name);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) return absl::ErrnoToStatus(errno, "SIOCSIFFLAGS " + name);
  ifindex_ = static_cast<int>(if_nametoindex(name.c_str()));
  return absl::OkStatus();
}

PortState TapPort::LinkState() const {
  auto info = QueryInterface(name());
  // A TAP moved to another namespace is invisible here; its fd is the only truth. An
  // internal port's TAP must stay here: gone from here, it is gone.
  if (!info || info->ifindex != ifindex_) return internal_ ? PortState::kAbsent : PortState::kUp;
  mac_ = info->mac;
  return (info->flags & IFF_UP) ? PortState::kUp : PortState::kDown;
}

// A TAP that left the namespace cannot be found again; an internal port is re-created
// when its name is free (someone deleted the TAP with `ip link del`).
bool TapPort::CanReopen() const { return internal_ && !QueryInterface(name()).has_value(); }

PortState TapPort::StateAfterError(std::string* why) const {
  *why = "interface went away";
  return PortState::kAbsent;
}

std::optional<EndpointLink> TapPort::ReadEndpoint() const {
  if (internal_ || !fd_.valid()) return std::nullopt;
  return ReadTapEndpoint(fd_.get());
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
