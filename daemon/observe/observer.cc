#include "daemon/observe/observer.h"

#include <libmnl/libmnl.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/core/log.h"
#include "daemon/packet/parser.h"
#include "include/pvland/ctl_proto.h"

namespace pvland {
namespace {

int64_t RealtimeNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Appends `n` bytes of `src` at `out[*pos]`, as far as they fit.
void Put(absl::Span<uint8_t> out, size_t* pos, const uint8_t* src, size_t n) {
  const size_t k = std::min(n, out.size() - *pos);
  std::memcpy(out.data() + *pos, src, k);
  *pos += k;
}

// Room one event needs besides its frame bytes: headers and every attribute but FRAME.
constexpr size_t kEventOverhead = 512;

}  // namespace

size_t CopyReceivedFrame(const Packet& p, absl::Span<uint8_t> out, uint32_t* wire_len) {
  size_t pos = 0;
  const uint32_t head = std::min<uint32_t>(p.len, 12);
  Put(out, &pos, p.frame, head);
  uint32_t extra = 0;
  if (p.aux_tag && p.len >= 12) {
    uint8_t tag[4];
    StoreBe16(tag, p.aux_tpid);
    StoreBe16(tag + 2, p.aux_tci);
    Put(out, &pos, tag, 4);
    extra = 4;
  }
  if (p.len > head) Put(out, &pos, p.frame + head, p.len - head);
  *wire_len = std::max(p.wire_len, p.len) + extra;
  return pos;
}

size_t CopySentFrame(const TxItem& item, absl::Span<uint8_t> out, uint32_t* wire_len) {
  const Packet& p = *item.pkt;
  size_t pos = 0;
  Put(out, &pos, p.frame, std::min<uint32_t>(p.len, 12));
  if (item.tag) Put(out, &pos, item.tag_bytes, 4);
  if (p.has_inner_tag) Put(out, &pos, p.inner_tag, 4);
  if (p.len > p.payload_off) Put(out, &pos, p.payload(), p.payload_len());
  *wire_len = item.wire_len() + (p.wire_len > p.len ? p.wire_len - p.len : 0);
  return pos;
}

struct Observer::Subscriber {
  int fd = -1;
  SubscribeSpec spec;
  uint64_t sent = 0;
  uint64_t lost = 0;
  bool dead = false;              // the peer is gone; the server removes it on hang-up
  std::vector<uint8_t> buf;       // the pending datagram
  size_t used = 0;
  uint64_t events = 0;            // events in `buf`

  bool Wants(const uint8_t* frame, size_t caplen, uint32_t wire_len) const {
    if (spec.filter.empty()) return true;
    return bpf_filter(spec.filter.data(), frame, wire_len, static_cast<u_int>(caplen)) != 0;
  }
};

Observer::Observer(Bridge& bridge) : bridge_(bridge), scratch_(kMaxSnaplen) {
  bridge_.set_drop_observer([this](uint16_t port, DropReason r, const Packet& p, const char* detail) {
    OnDrop(port, r, p, detail);
  });
}

Observer::~Observer() {
  bridge_.set_drop_observer(nullptr);
  hooks_->active = 0;  // the dataplane (which outlives it in pvland) stops calling it
}

void Observer::Attach(ObserveHooks* hooks) {
  hooks_ = hooks != nullptr ? hooks : &own_hooks_;
  SetActive();
}

void Observer::SetActive() {
  hooks_->active = static_cast<uint8_t>((port_captures_ != 0 ? ObserveHooks::kCapturing : 0) |
                                        (pending_ ? ObserveHooks::kPending : 0));
}

void Observer::OnDrop(uint16_t port, DropReason r, const Packet& p, const char* detail) {
  DropRecord& rec = ring_[seq_ % kRingSize];
  rec.seq = ++seq_;
  rec.time_ns = RealtimeNs();
  rec.port = port;
  rec.in_port = rx_port();
  rec.reason = r;
  rec.detail = detail;
  rec.vid = p.vid;
  rec.caplen = static_cast<uint16_t>(CopyReceivedFrame(p, absl::MakeSpan(rec.bytes), &rec.wire_len));
  if (drop_subs_ == 0) return;
  // A subscriber whose snaplen is larger than the record gets a fresh, longer copy.
  absl::Span<const uint8_t> frame(rec.bytes.data(), rec.caplen);
  bool copied = false;
  for (auto& s : subs_) {
    if (s->dead || s->spec.stream != SubscribeSpec::Stream::kDrops) continue;
    if (s->spec.port != kNoPort && s->spec.port != port && s->spec.port != rx_port()) continue;
    if (s->spec.snaplen > rec.caplen && rec.wire_len > rec.caplen && !copied) {
      uint32_t wl;
      frame = absl::MakeConstSpan(scratch_.data(), CopyReceivedFrame(p, absl::MakeSpan(scratch_), &wl));
      copied = true;
    }
    if (!s->Wants(frame.data(), frame.size(), rec.wire_len)) continue;
    Append(*s, "drop", port, rx_port(), &rec, frame, rec.wire_len, rec.time_ns);
  }
}

void Observer::OnReceived(uint16_t port, const PacketBatch& batch) {
  const int64_t now = RealtimeNs();
  for (size_t i = 0; i < batch.size(); ++i) {
    const Packet& p = batch[i];
    uint32_t wire_len;
    const size_t n = CopyReceivedFrame(p, absl::MakeSpan(scratch_), &wire_len);
    for (auto& s : subs_) {
      if (s->dead || s->spec.stream != SubscribeSpec::Stream::kPort || s->spec.port != port) continue;
      if (!s->Wants(scratch_.data(), n, wire_len)) continue;
      Append(*s, "rx", port, port, nullptr, absl::MakeConstSpan(scratch_.data(), n), wire_len, now);
    }
  }
}

void Observer::OnSent(uint16_t port, const TxQueue& q) {
  const int64_t now = RealtimeNs();
  for (const TxItem& item : q) {
    if (item.error != 0) continue;
    uint32_t wire_len;
    const size_t n = CopySentFrame(item, absl::MakeSpan(scratch_), &wire_len);
    for (auto& s : subs_) {
      if (s->dead || s->spec.stream != SubscribeSpec::Stream::kPort || s->spec.port != port) continue;
      if (!s->Wants(scratch_.data(), n, wire_len)) continue;
      Append(*s, "tx", port, rx_port(), nullptr, absl::MakeConstSpan(scratch_.data(), n), wire_len, now);
    }
  }
}

void Observer::Append(Subscriber& s, const char* dir, uint16_t port, uint16_t in_port, const DropRecord* drop,
                      absl::Span<const uint8_t> frame, uint32_t wire_len, int64_t time_ns) {
  const size_t caplen = std::min<size_t>(frame.size(), s.spec.snaplen);
  const size_t need = kEventOverhead + MNL_ALIGN(caplen);
  if (s.used + need > s.buf.size()) Send(s);
  nlmsghdr* nlh = mnl_nlmsg_put_header(s.buf.data() + s.used);
  nlh->nlmsg_type = PVL_MSG_CTL;
  nlh->nlmsg_flags = NLM_F_MULTI;
  auto* hdr = static_cast<pvl_ctlhdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(pvl_ctlhdr)));
  hdr->cmd = PVL_CMD_MONITOR;
  hdr->version = PVL_CTL_VERSION;
  mnl_attr_put_u64(nlh, PVL_A_TIME_NS, static_cast<uint64_t>(time_ns));
  mnl_attr_put_strz(nlh, PVL_A_DIRECTION, dir);
  if (const SwitchPort* sp = bridge_.port(port)) mnl_attr_put_strz(nlh, PVL_A_PORT, sp->name.c_str());
  if (in_port != kNoPort && in_port != port)
    if (const SwitchPort* sp = bridge_.port(in_port)) mnl_attr_put_strz(nlh, PVL_A_IN_PORT, sp->name.c_str());
  if (drop != nullptr) {
    const std::string reason(DropReasonName(drop->reason));
    mnl_attr_put_strz(nlh, PVL_A_REASON, reason.c_str());
    if (drop->detail != nullptr) mnl_attr_put_strz(nlh, PVL_A_DETAIL, drop->detail);
    if (drop->vid != 0) mnl_attr_put_u16(nlh, PVL_A_VLAN, drop->vid);
  }
  mnl_attr_put_u32(nlh, PVL_A_WIRE_LEN, wire_len);
  mnl_attr_put(nlh, PVL_A_FRAME, caplen, frame.data());
  mnl_attr_put_u64(nlh, PVL_A_LOST, s.lost);
  s.used += MNL_ALIGN(nlh->nlmsg_len);
  ++s.events;
  if (!pending_) {
    pending_ = true;
    SetActive();
  }
}

void Observer::Send(Subscriber& s) {
  if (s.used == 0) return;
  if (!s.dead) {
    const ssize_t n = send(s.fd, s.buf.data(), s.used, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(s.used)) {
      s.sent += s.events;
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != EINTR) {
      s.dead = true;  // the server sees the hang-up and unsubscribes
      s.lost += s.events;
      Recount();
    } else {
      s.lost += s.events;
    }
  }
  s.used = 0;
  s.events = 0;
}

void Observer::Flush() {
  for (auto& s : subs_) Send(*s);
  pending_ = false;
  SetActive();
}

absl::Status Observer::Subscribe(int fd, SubscribeSpec spec) {
  if (!spec.filter.empty() &&
      !bpf_validate(spec.filter.data(), static_cast<int>(spec.filter.size())))
    return absl::InvalidArgumentError("the capture filter is not a valid BPF program");
  if (spec.stream == SubscribeSpec::Stream::kPort && bridge_.port(spec.port) == nullptr)
    return absl::NotFoundError("no such port");
  spec.snaplen = std::clamp<uint32_t>(spec.snaplen, 14, kMaxSnaplen);
  auto s = std::make_unique<Subscriber>();
  s->fd = fd;
  s->spec = std::move(spec);
  s->buf.resize(PVL_CTL_MSG_MAX);
  subs_.push_back(std::move(s));
  Recount();
  return absl::OkStatus();
}

void Observer::Unsubscribe(int fd) {
  std::erase_if(subs_, [fd](const auto& s) { return s->fd == fd; });
  Recount();
}

void Observer::PortRemoved(uint16_t port) {
  for (auto& s : subs_) {
    if (s->dead || s->spec.port != port) continue;
    Send(*s);
    s->dead = true;
    shutdown(s->fd, SHUT_RDWR);
  }
  Recount();
}

void Observer::Recount() {
  std::fill(captured_.begin(), captured_.end(), 0);
  port_captures_ = 0;
  drop_subs_ = 0;
  for (const auto& s : subs_) {
    if (s->dead) continue;
    if (s->spec.stream == SubscribeSpec::Stream::kDrops) {
      ++drop_subs_;
      continue;
    }
    if (captured_.size() <= s->spec.port) captured_.resize(s->spec.port + 1);
    ++captured_[s->spec.port];
    ++port_captures_;
  }
  SetActive();
}

std::vector<Observer::SubscriberInfo> Observer::Subscribers() const {
  std::vector<SubscriberInfo> out;
  for (const auto& s : subs_)
    out.push_back({s->fd, s->spec.stream, s->spec.port, !s->spec.filter.empty(), s->sent, s->lost});
  return out;
}

std::vector<const DropRecord*> Observer::Recent(size_t n, uint16_t port) const {
  std::vector<const DropRecord*> out;
  const uint64_t kept = std::min<uint64_t>(seq_, kRingSize);
  for (uint64_t i = 0; i < kept && out.size() < n; ++i) {
    const DropRecord& r = ring_[(seq_ - 1 - i) % kRingSize];
    if (port != kNoPort && r.port != port && r.in_port != port) continue;
    out.push_back(&r);
  }
  return out;
}

}  // namespace pvland
