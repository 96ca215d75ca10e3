// Drop observability: a ring of the most recent drops (for `pvlanctl why`), and live
// subscribers on control connections (`pvlanctl monitor drops`, `pvlanctl capture`).
//
// Every drop reaches OnDrop through Bridge::CountDrop's observer hook. Port captures see
// the frames a port received (before the pipeline) and sent (after the kernel took them);
// the dataplane asks capturing() once per batch, so with nobody capturing the cost is one
// load and branch per batch.
//
// Delivery is lossy by design: events are appended to each subscriber's pending datagram
// and sent once per batch with a non-blocking send. When the subscriber's socket is full
// the datagram's events are lost and counted; every event carries the count lost so far.
// Forwarding never waits for a subscriber.
#pragma once

#include <pcap/pcap.h>  // struct bpf_insn, bpf_filter, bpf_validate (with the u_int types they use)

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "daemon/bridge/bridge.h"
#include "daemon/packet/batch.h"
#include "daemon/packet/tx_list.h"

namespace pvland {

// One dropped frame, as `why` needs it later.
struct DropRecord {
  static constexpr size_t kBytes = 128;
  uint64_t seq = 0;                 // 1, 2, ...: the daemon's drop sequence number
  int64_t time_ns = 0;              // CLOCK_REALTIME
  uint16_t port = 0;                // the port the drop counted on
  uint16_t in_port = kNoPort;       // the port the frame arrived on (kNoPort: pvland made it)
  DropReason reason = DropReason::kRunt;
  const char* detail = nullptr;     // a stage's finer reason (static storage), or null
  uint16_t vid = 0;                 // the VLAN it was classified into; 0 before that
  uint32_t wire_len = 0;            // the frame's length as received
  uint16_t caplen = 0;              // bytes kept in `bytes`
  std::array<uint8_t, kBytes> bytes{};  // the frame as received, tag included
};

// Copies a received frame as it was on the wire (a tag the kernel stripped and reported
// out of band put back after the MACs) into `out`; returns the bytes written, at most
// out.size(). `*wire_len` gets the frame's full length.
size_t CopyReceivedFrame(const Packet& p, absl::Span<uint8_t> out, uint32_t* wire_len);
// The same for one transmitted copy: the MACs, the egress tag, the rest of the frame.
size_t CopySentFrame(const TxItem& item, absl::Span<uint8_t> out, uint32_t* wire_len);

// What the dataplane tests before and after each batch, kept in the dataplane itself so
// that the test is one load with no pointer to follow: the port whose batch is running
// (for the drop records), and whether the observer has anything to do.
struct ObserveHooks {
  static constexpr uint8_t kCapturing = 1;  // some port is captured
  static constexpr uint8_t kPending = 2;    // events wait to be sent
  uint16_t rx_port = kNoPort;  // kNoPort: a frame pvland made
  uint8_t active = 0;
};

struct SubscribeSpec {
  enum class Stream : uint8_t { kDrops, kPort };
  Stream stream = Stream::kDrops;
  uint16_t port = kNoPort;           // kDrops: only drops on or from this port; kPort: required
  std::vector<struct bpf_insn> filter;  // empty: every frame
  uint32_t snaplen = DropRecord::kBytes;
};

class Observer {
 public:
  static constexpr size_t kRingSize = 256;
  // Largest frame copy one event carries: an event must fit one control message.
  static constexpr uint32_t kMaxSnaplen = 65000;

  explicit Observer(Bridge& bridge);
  ~Observer();
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;

  // Uses the dataplane's hooks (the running batch's port, the active flags) instead of
  // its own; null goes back to its own.
  void Attach(ObserveHooks* hooks);
  ObserveHooks& hooks() { return *hooks_; }

  // Is any port captured? The dataplane asks once per batch before anything else.
  bool capturing() const { return port_captures_ != 0; }
  bool Captured(uint16_t port) const { return port < captured_.size() && captured_[port] != 0; }
  // Frames port `port` received / sent (items with error 0). Only when Captured(port).
  void OnReceived(uint16_t port, const PacketBatch& batch);
  void OnSent(uint16_t port, const TxQueue& q);

  // Events are waiting to be sent; Flush sends them, without blocking.
  bool pending() const { return pending_; }
  void Flush();

  // Turns control connection `fd` into a subscription. The fd stays owned by the caller,
  // which calls Unsubscribe before closing it.
  absl::Status Subscribe(int fd, SubscribeSpec spec);
  void Unsubscribe(int fd);
  // Port `port` is being deleted: subscriptions bound to it end (their connection is shut
  // down, so the client sees the end and the server unsubscribes it).
  void PortRemoved(uint16_t port);

  struct SubscriberInfo {
    int fd;
    SubscribeSpec::Stream stream;
    uint16_t port;
    bool filtered;
    uint64_t sent;
    uint64_t lost;
  };
  std::vector<SubscriberInfo> Subscribers() const;

  // The most recent drops, newest first, at most `n`; with `port` set, only those counted
  // on that port or received on it.
  std::vector<const DropRecord*> Recent(size_t n, uint16_t port = kNoPort) const;
  uint64_t drops_seen() const { return seq_; }

  // Bridge::CountDrop's hook.
  void OnDrop(uint16_t port, DropReason r, const Packet& p, const char* detail);

 private:
  struct Subscriber;
  // Appends one event for `s`; `frame` is the frame copy (at most s.snaplen is sent).
  void Append(Subscriber& s, const char* dir, uint16_t port, uint16_t in_port, const DropRecord* drop,
              absl::Span<const uint8_t> frame, uint32_t wire_len, int64_t time_ns);
  void Send(Subscriber& s);
  void Recount();

  uint16_t rx_port() const { return hooks_->rx_port; }
  void SetActive();

  Bridge& bridge_;
  ObserveHooks own_hooks_;
  ObserveHooks* hooks_ = &own_hooks_;
  uint64_t seq_ = 0;
  std::array<DropRecord, kRingSize> ring_;
  std::vector<std::unique_ptr<Subscriber>> subs_;
  std::vector<uint8_t> captured_;  // per port: port captures on it
  int port_captures_ = 0;
  int drop_subs_ = 0;
  bool pending_ = false;
  std::vector<uint8_t> scratch_;  // one frame copy
};

}  // namespace pvland
