// The I/O of traffic mirroring (docs/mirroring.md): the copies a pipeline run took,
// encapsulated by mirror::Encapsulator, go out in one sendmmsg per batch on a socket in
// pvland's namespace, so the kernel picks the outer source address, routes the outer
// packet and fragments it as it would a UDP datagram.
//
// The socket is a raw IPv4 socket of protocol UDP that writes its own UDP header: a UDP
// socket has one source port, and RFC 7348 wants the outer source port to follow the
// inner flow (VxlanSourcePort). It is non-blocking and receives nothing (a filter
// refuses every datagram). Mirroring never delays switch traffic: a copy the socket
// cannot take now (buffer full) or send at all (no route to the target) is lost and
// counted on its session, never retried.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "daemon/core/clock.h"
#include "daemon/core/log.h"
#include "daemon/core/unique_fd.h"
#include "daemon/mirror/encap.h"

namespace pvland {

class MirrorSender {
 public:
  // sendmmsg(2)'s contract; tests give a fake.
  using SendFn = std::function<int(int fd, mmsghdr* msgs, unsigned n)>;

  explicit MirrorSender(const Clock& clock, SendFn send = nullptr);

  // Opens the socket once; an error (no CAP_NET_RAW) leaves it closed.
  absl::Status Open();
  bool is_open() const { return fd_.valid() || open_for_test_; }
  // Tests: a sender that hands datagrams to its SendFn without a socket.
  void OpenForTest() { open_for_test_ = true; }

  // Encapsulates and sends `copies`; counts each copy sent or lost on its session.
  void Send(mirror::Sessions& sessions, absl::Span<const mirror::Copy> copies);

 private:
  // Every datagram from slot `k` on whose session is that of slot `k` is lost (its
  // target cannot be reached); the others move up. Returns the new end.
  size_t DropSession(mirror::Sessions& sessions, size_t k, size_t end, int err);
  // A copy of `s` lost for `err`, or sent: counted, and the session's error state
  // follows, logged when it changes (not once a copy).
  void Failed(mirror::Session& s, int err);
  void Sent(mirror::Session& s, uint32_t inner_len);

  UniqueFd fd_;
  bool open_for_test_ = false;
  SendFn send_;
  mirror::Encapsulator encap_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iov_;
  std::vector<sockaddr_in> addrs_;
  std::vector<uint32_t> index_;  // msgs_[k] sends datagram index_[k]
  LogRateLimit log_limit_;
};

}  // namespace pvland
