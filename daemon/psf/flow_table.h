// A port's TCP connections for protocol state filtering: one entry per (VLAN, endpoint
// pair), the pair unordered so both directions find it, with the side that opened the
// connection and the port direction it came from. Bounded per table and, optionally, by
// a budget shared by all tables; at the bound the oldest entry that is not an established
// connection makes room (docs/psf.md §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "daemon/core/clock.h"
#include "daemon/psf/tcp_conntrack.h"
#include "daemon/psf/tcp_segment.h"

namespace pvland::psf {

// Which way a segment crossed the port (policies §0.1): sent by the port's endpoint, or
// delivered to it.
enum class PortDir : uint8_t { kFromPort, kToPort };
std::string_view PortDirName(PortDir d);  // "from-port", "to-port"

// (VLAN, {A, B}) with endpoint A <= endpoint B (address, then port), so a segment and its
// answer make the same key. IPv4 addresses are stored IPv4-mapped (tcp_segment.h).
struct FlowKey {
  IpAddr addr_a{};
  IpAddr addr_b{};
  uint16_t port_a = 0;
  uint16_t port_b = 0;
  uint16_t vid = 0;

  // The key of `seg`; *src_is_a tells whether its source is endpoint A.
  static FlowKey Of(const TcpSegment& seg, bool* src_is_a);
  bool operator==(const FlowKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    return H::combine(std::move(h), k.addr_a, k.addr_b, k.port_a, k.port_b, k.vid);
  }
};
static_assert(sizeof(FlowKey) == 38);

struct FlowEntry {
  FlowKey key;
  uint8_t origin = 0;  // kOriginIsA | kOriginToPort
  uint8_t unused = 0;
  TcpConn conn;
  MonoNs expires = 0;
  // The eviction list (entries that are not established connections, oldest first), or
  // the free list while the slot is unused.
  uint32_t prev = 0;
  uint32_t next = 0;

  static constexpr uint8_t kOriginIsA = 0x01;     // endpoint A opened the connection
  static constexpr uint8_t kOriginToPort = 0x02;  // its first segment went to the port
  bool origin_is_a() const { return (origin & kOriginIsA) != 0; }
  PortDir origin_dir() const { return (origin & kOriginToPort) ? PortDir::kToPort : PortDir::kFromPort; }
  // ORIGINAL or REPLY for a segment whose source is (or is not) endpoint A.
  CtDir DirOf(bool src_is_a) const { return src_is_a == origin_is_a() ? CtDir::kOriginal : CtDir::kReply; }
};
// The table's whole cost per entry is this plus the hash index (5 bytes a slot).
static_assert(sizeof(FlowEntry) == 112, "FlowEntry grew: check docs/psf.md §4 memory");

// An entry count shared by several tables (all ports), so the sum is bounded too.
class FlowBudget {
 public:
  explicit FlowBudget(size_t max) : max_(max) {}
  size_t max() const { return max_; }
  size_t used() const { return used_; }
  void set_max(size_t max) { max_ = max; }
  bool Full() const { return used_ >= max_; }

 private:
  friend class FlowTable;
  size_t max_;
  size_t used_ = 0;
};

struct FlowCounters {
  uint64_t inserted = 0;
  uint64_t expired = 0;   // removed because their lifetime ended (lookup or sweep)
  uint64_t evicted = 0;   // removed to make room at a limit
  uint64_t refused = 0;   // new connections refused at a limit (nothing evictable)
  uint64_t removed = 0;   // removed by tracking (RST before reply, reopen)
};

class FlowTable {
 public:
  static constexpr size_t kDefaultMaxEntries = 65536;

  // `budget` may be null (no shared bound); it must outlive the table.
  explicit FlowTable(size_t max_entries = kDefaultMaxEntries, FlowBudget* budget = nullptr);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  TcpTrackConfig& config() { return config_; }
  const TcpTrackConfig& config() const { return config_; }
  size_t max_entries() const { return max_entries_; }
  // Lowering the bound below the current size removes nothing; new entries then need
  // room to be made first.
  void set_max_entries(size_t n) { max_entries_ = n; }

  // The live entry for `key`, or null; an expired one is removed on the way.
  FlowEntry* Find(const FlowKey& key, MonoNs now);
  // A new entry for `key` (not present), its TcpConn default-constructed, expiring at
  // `now` until the caller sets it. At a bound, the oldest evictable entry of this table
  // is removed first; null (and `refused` counted) when there is none.
  FlowEntry* Insert(const FlowKey& key, MonoNs now);
  void Erase(FlowEntry* e);
  // Call after the entry's connection changed: an established connection leaves the
  // eviction list, one that stops being established joins its end.
  void Update(FlowEntry* e);

  // Removes the entries whose lifetime ended by `now`; returns how many.
  size_t Sweep(MonoNs now);
  void Flush();

  // Every entry, live or not yet swept, in no particular order.
  void ForEach(absl::FunctionRef<void(const FlowEntry&)> fn) const;

  size_t size() const { return index_.size(); }
  const FlowCounters& counters() const { return counters_; }
  // Heap bytes held: entry chunks and the hash index's arrays.
  size_t MemoryBytes() const;
  // May this entry be evicted at a bound? Everything but an established, assured
  // connection (conntrack's early drop spares ASSURED entries likewise).
  static bool Evictable(const TcpConn& c) { return !c.established(); }

 private:
  static constexpr uint32_t kNil = UINT32_MAX;
  static constexpr uint32_t kChunkShift = 8;  // 256 entries (28 KiB) a chunk
  static constexpr uint32_t kChunkSize = 1u << kChunkShift;

  struct IndexHash {
    using is_transparent = void;
    const FlowTable* t;
    size_t operator()(uint32_t i) const;
    size_t operator()(const FlowKey& k) const;
  };
  struct IndexEq {
    using is_transparent = void;
    const FlowTable* t;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, const FlowKey& k) const;
    bool operator()(const FlowKey& k, uint32_t a) const { return (*this)(a, k); }
  };

  FlowEntry& At(uint32_t i) { return chunks_[i >> kChunkShift][i & (kChunkSize - 1)]; }
  const FlowEntry& At(uint32_t i) const { return chunks_[i >> kChunkShift][i & (kChunkSize - 1)]; }
  uint32_t IndexOf(const FlowEntry* e) const;
  bool Listed(uint32_t i) const;
  void ListAppend(uint32_t i);
  void ListRemove(uint32_t i);
  uint32_t AllocSlot();
  void Remove(uint32_t i);
  bool AtBound() const;

  TcpTrackConfig config_;
  size_t max_entries_;
  FlowBudget* budget_;
  std::vector<std::unique_ptr<FlowEntry[]>> chunks_;
  uint32_t slots_used_ = 0;  // slots handed out of the chunks so far
  uint32_t free_ = kNil;     // free slots, linked through `next`
  uint32_t head_ = kNil;     // eviction list, oldest first
  uint32_t tail_ = kNil;
  absl::flat_hash_set<uint32_t, IndexHash, IndexEq> index_;
  FlowCounters counters_;
};

}  // namespace pvland::psf
