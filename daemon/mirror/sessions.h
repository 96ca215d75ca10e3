// Traffic mirror sessions (docs/mirroring.md): each has a source port, the directions it
// mirrors, a VXLAN target, a VNI, a truncation length, a number, ordered filter rules
// and counters. Sessions on one source are asked by ascending number; the first whose
// rules accept a frame mirrors it, so a frame is mirrored at most once per (source port,
// direction). Pure tables: the pipeline asks Select(), the dataplane's sender counts.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/mirror/rule.h"
#include "daemon/packet/packet.h"
#include "daemon/packet/vxlan.h"

namespace pvland::mirror {

struct Counters {
  uint64_t packets = 0;     // copies sent (each segment of a super-frame is one)
  uint64_t bytes = 0;       // their inner frames' bytes, after truncation
  uint64_t lost = 0;        // copies the socket refused (full, no route): never retried
  uint64_t truncated = 0;   // copies cut to the session's length
  uint64_t seg_errors = 0;  // frames whose offload state could not be completed: not sent
};

struct Session {
  std::string name;
  uint16_t source = 0;  // bridge port index
  uint8_t dirs = kMirrorBoth;
  uint32_t target = 0;  // IPv4, host order
  uint16_t dstport = kVxlanPort;
  uint32_t vni = 0;
  uint32_t length = 0;  // inner bytes kept; 0: the whole frame
  uint16_t number = 0;  // order among the source's sessions
  std::vector<Rule> rules;  // by ascending number
  Counters counters;
  // Why the last copy was lost (an errno: no route, a full socket), 0 once one is sent.
  int error = 0;
};

// What `mirror add` gives; unset optionals are chosen by the table.
struct SessionSpec {
  std::string name;
  uint16_t source = 0;
  uint8_t dirs = kMirrorBoth;
  uint32_t target = 0;
  uint16_t dstport = kVxlanPort;
  std::optional<uint32_t> vni;     // unset: a random VNI no other session uses
  uint32_t length = 0;
  std::optional<uint16_t> number;  // unset: the lowest free on the source
};

class Sessions {
 private:
  // A port's sessions, and for each direction the IP protocols some rule of them may
  // match: a frame of any other protocol is passed over with one test, and no rule would
  // have decided it (hits stay exact).
  struct PortIndex {
    std::vector<uint32_t> ids;  // slot ids, by ascending number
    std::array<std::array<uint64_t, 4>, 2> protocols{};  // [egress, ingress][protocol / 64]
  };
  static size_t DirIndex(uint8_t dir) { return dir >> 1; }

 public:
  static constexpr size_t kMaxSessions = 1024;
  static constexpr size_t kMaxRules = 100;  // per session; a show record stays one message

  // `random` draws VNIs (any 32-bit value; the table folds it to 24 bits); null: seeded
  // from std::random_device.
  explicit Sessions(std::function<uint32_t()> random = nullptr);

  // Errors, with nothing changed: a name in use, a number in use on the source, a value
  // out of range.
  absl::StatusOr<uint32_t> Add(const SessionSpec& spec);
  absl::Status Del(std::string_view name);
  absl::Status AddRule(std::string_view session, const Rule& rule);
  absl::Status DelRule(std::string_view session, uint16_t number);
  // Forgets every session of port `port` (the port is gone and its index may be reused).
  void RemoveSessionsOf(uint16_t port);

  const Session* Find(std::string_view name) const;
  Session* Find(std::string_view name);
  // The session in slot `id` (Select's answer), null for a free slot.
  Session* at(uint32_t id) { return id < slots_.size() ? slots_[id].get() : nullptr; }
  // Every session, by source port index, then number.
  std::vector<const Session*> Ordered() const;
  // The names of port `port`'s sessions, by number.
  std::vector<std::string> NamesOn(uint16_t port) const;
  size_t size() const { return count_; }

  // --- the data path ---
  // The directions some session of port `port` mirrors (kMirrorEgress, kMirrorIngress).
  uint8_t dirs_of(uint16_t port) const { return port < port_dirs_.size() ? port_dirs_[port] : 0; }
  // Some port has a session mirroring ingress (to-port) frames.
  bool any_ingress() const { return any_ingress_; }
  // The session that mirrors `p`, seen on port `port` in direction `dir` (one bit): the
  // first by number whose rules accept it; -1 for none. The rule that decided, in each
  // session asked, counts a hit. Inline up to the protocol test, which most frames a
  // session does not want stop at.
  int Select(uint16_t port, uint8_t dir, const Packet& p) {
    if (port >= by_port_.size() || !IsMirrorable(p)) return -1;
    const PortIndex& index = by_port_[port];
    const auto& protocols = index.protocols[DirIndex(dir)];
    if (((protocols[p.ip_proto >> 6] >> (p.ip_proto & 63)) & 1) == 0) return -1;
    return SelectByRules(index, dir, p);
  }

 private:
  int SelectByRules(const PortIndex& index, uint8_t dir, const Packet& p);
  uint32_t RandomFreeVni();
  bool VniInUse(uint32_t vni) const;
  // Rebuilds the per-port lists, their protocol sets and the direction bits after a
  // session or a rule changed.
  void Reindex();

  std::vector<std::unique_ptr<Session>> slots_;  // null: free
  size_t count_ = 0;
  std::vector<PortIndex> by_port_;
  std::vector<uint8_t> port_dirs_;
  bool any_ingress_ = false;
  std::function<uint32_t()> random_;
};

}  // namespace pvland::mirror
