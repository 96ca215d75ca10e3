// The whole pipeline over batches of frames, on a switch whose configuration the input
// chooses: 2-6 ports (netdev, TAP, internal), access or trunk with native VLANs, private
// VLAN roles, isolation, flood opt-outs, hairpin, source guard, port security (policies,
// MAC learning and its limit, the guest's MAC and promiscuous mode), protocol state
// filtering, static FDB entries, and scripted ARP and IPv4 verdicts standing in for the
// kernel's. Frames carry an optional kernel-stripped tag and virtio-net header; what the
// pipeline sends is turned into wire bytes by the fake ports, as the dataplane's send
// would. No sockets: the ports are tests/unit/daemon's fakes.
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "daemon/bridge/bridge.h"
#include "daemon/bridge/port_security.h"
#include "daemon/core/clock.h"
#include "daemon/ipv4/arp_decider.h"
#include "daemon/ipv4/ip_decider.h"
#include "daemon/pipeline/pipeline.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/unit/daemon/fake_switch_ports.h"

namespace pvland {
namespace {

using fuzz::FuzzInput;

constexpr uint16_t kVids[] = {1, 2, 10, 20, 100, 101, 102, 200, 4094, 0};
constexpr int kIfindexBase = 100;

MacAddr HostMac(uint8_t n) { return {0x02, 0, 0, 0, 0, n}; }
MacAddr InternalMac(size_t i) { return {0x02, 0xaa, 0, 0, 0, static_cast<uint8_t>(i)}; }

uint16_t Vid(FuzzInput& in) {
  const uint16_t v = in.PickFrom(kVids);
  return v ? v : static_cast<uint16_t>(in.U16() & 0xfff);
}

MacAddr Mac(FuzzInput& in, size_t nports) {
  switch (in.Pick(6)) {
    case 0: return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    case 1: return {0x01, 0x00, 0x5e, 0, 0, in.Byte()};
    case 2: return InternalMac(in.Pick(nports));
    case 3: {
      MacAddr m;
      for (uint8_t& b : m) b = in.Byte();
      return m;
    }
    default: return HostMac(in.Byte() & 7);
  }
}

// Verdicts for ARP requests and IPv4 frames to internal ports, from a script of 8 bytes
// the input gives up front, used in turn: the stages' handling of every verdict is what
// is tested here (the decisions themselves have their own unit tests), and the frames
// that follow in the input do not depend on how many verdicts were asked for.
class ScriptedDeciders final : public ipv4::ArpDecider, public ipv4::IpDecider {
 public:
  explicit ScriptedDeciders(FuzzInput& in) {
    for (uint8_t& b : script_) b = in.Byte();
  }
  std::map<int, ipv4::Link> links;

  const ipv4::Link* Device(int ifindex) const override {
    auto it = links.find(ifindex);
    return it == links.end() ? nullptr : &it->second;
  }
  ipv4::ArpDecision Decide(const ipv4::ArpInput& in, absl::Span<const uint8_t>) override {
    const uint8_t v = Next();
    ipv4::ArpDecision d;
    d.action = static_cast<ipv4::ArpAction>(v % 3);
    d.kind = static_cast<ipv4::ArpReplyKind>(v / 3 % 6);
    d.reason = "scripted";
    d.reply.eth_dst = in.packet.sha;
    d.reply.eth_src = (v & 0x80) ? HostMac(v & 7) : InternalMac(0);
    d.reply.sha = d.reply.eth_src;
    d.reply.spa = in.packet.tip;
    d.reply.tha = in.packet.sha;
    d.reply.tpa = in.packet.sip;
    d.log_martian = (v & 0x40) != 0;
    return d;
  }
  bool Enqueue(const ipv4::ArpInput&, uint64_t) override { return (Next() & 1) != 0; }
  ipv4::IpInputDecision DecideInput(const ipv4::IpPacketInfo&, absl::Span<const uint8_t>) override { return Verdict(); }
  ipv4::IpInputDecision SourceGuard(const ipv4::IpPacketInfo&, int) override { return Verdict(); }

 private:
  uint8_t Next() { return script_[next_++ % script_.size()]; }
  ipv4::IpInputDecision Verdict() {
    ipv4::IpInputDecision d;
    d.drop = static_cast<ipv4::IpDropKind>(Next() % 4);
    d.reason = "scripted";
    return d;
  }
  std::array<uint8_t, 8> script_{};
  size_t next_ = 0;
};

PortConfig Config(FuzzInput& in, PortKind kind) {
  PortConfig c;
  c.mode = in.Bool() ? PortMode::kTrunk : PortMode::kAccess;
  c.vlan = Vid(in);
  for (int n = in.Pick(4); n > 0; --n) c.allowed.set(Vid(in));
  c.native = in.Bool() ? Vid(in) : 0;
  const uint8_t flags = in.Byte();
  c.isolated = flags & 0x01;
  c.learning = !(flags & 0x02);
  c.flood = !(flags & 0x04);
  c.mcast_flood = !(flags & 0x08);
  c.bcast_flood = !(flags & 0x10);
  c.hairpin = flags & 0x20;
  if (kind != PortKind::kInternal) c.source_guard = static_cast<SourceGuardMode>(in.Pick(3));
  const uint8_t sec = in.Byte();
  c.security.mac_changes = (sec & 0x01) ? SecurityPolicy::kReject : SecurityPolicy::kAccept;
  c.security.forged_transmits = (sec & 0x02) ? SecurityPolicy::kReject : SecurityPolicy::kAccept;
  c.security.promiscuous = (sec & 0x04) ? SecurityPolicy::kAccept : SecurityPolicy::kReject;
  c.security.mac_learning = sec & 0x08;
  c.security.mac_limit = static_cast<uint16_t>(1 + in.Pick(4));
  c.security.mac_limit_policy = (sec & 0x10) ? MacLimitPolicy::kDrop : MacLimitPolicy::kAllow;
  c.security.mac_aging_s = 1 + in.Pick(20);
  if (sec & 0x20) c.security.initial_mac = HostMac(in.Byte() & 7);
  c.psf.mode = static_cast<PsfMode>(in.Pick(3));
  c.psf.role = static_cast<PortRole>(in.Pick(3));
  c.psf.liberal = in.Bool();
  c.psf.max_entries = 1 + in.Pick(8);
  return c;
}

// The guest behind the port, as its endpoint would report it, and what follows from it.
void Endpoint(FuzzInput& in, Bridge& bridge, uint16_t idx) {
  SwitchPort& sp = *bridge.port(idx);
  std::optional<EndpointReading> reading;
  if (in.Bool()) reading = EndpointReading{HostMac(in.Byte() & 7), in.Bool(), "fuzz"};
  ResolvePortSecurity(sp.name, sp.cfg.security, reading, sp.security);
  bridge.ApplyPsf(idx);
  bridge.RefreshSecurityIndex();
}

// One frame: MACs from a small set (so the FDB learns and finds them), an optional
// in-band 802.1Q or 802.1ad tag, then the ethertype and payload as the input has them.
std::vector<uint8_t> Frame(FuzzInput& in, size_t nports) {
  std::vector<uint8_t> f;
  const MacAddr dst = Mac(in, nports), src = Mac(in, nports);
  f.insert(f.end(), dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  const uint8_t tags = in.Pick(4);
  // 1: 802.1Q; 2: 802.1ad then 802.1Q (QinQ); 3: two 802.1Q tags.
  for (int t = 0; t < (tags >= 2 ? 2 : tags); ++t) {
    const uint16_t tpid = (tags == 2 && t == 0) ? 0x88a8 : 0x8100;
    const uint16_t tci = static_cast<uint16_t>(Vid(in) | (in.Byte() & 0xf0) << 8);
    f.insert(f.end(), {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid), static_cast<uint8_t>(tci >> 8),
                       static_cast<uint8_t>(tci)});
  }
  std::vector<uint8_t> rest = in.Bytes(in.Byte() + (in.Bool() ? 256 : 0));
  f.insert(f.end(), rest.begin(), rest.end());
  return f;
}

}  // namespace
}  // namespace pvland

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pvland;
  FuzzInput in(data, size);
  Bridge bridge;
  const uint8_t mode = in.Byte();
  ScriptedDeciders deciders(in);
  Pipeline pipeline(bridge, (mode & 1) ? &deciders : nullptr, (mode & 2) ? &deciders : nullptr);
  FakeClock clock;
  FakeSwitchPorts ports(bridge);

  for (int n = in.Pick(5); n > 0; --n) {
    const uint16_t vid = Vid(in);
    bridge.vlans().Add(vid, static_cast<PvlanType>(in.Pick(4)), Vid(in)).IgnoreError();
  }
  const size_t nports = 2 + in.Pick(5);
  std::vector<std::string> names;
  for (size_t i = 0; i < nports; ++i) {
    static constexpr PortKind kKinds[] = {PortKind::kTap, PortKind::kNetdev, PortKind::kInternal};
    const PortKind kind = in.PickFrom(kKinds);
    names.push_back("p" + std::to_string(i));
    const uint16_t idx = ports.Add(names.back(), Config(in, kind), kind);
    SwitchPort& sp = *bridge.port(idx);
    sp.ifindex = kIfindexBase + static_cast<int>(i);
    sp.mac = InternalMac(i);
    if (kind == PortKind::kInternal) {
      ipv4::Link& l = deciders.links[sp.ifindex];
      l.ifindex = sp.ifindex;
      l.name = sp.name;
      l.mac = sp.mac;
    }
    Endpoint(in, bridge, idx);
  }
  for (int n = in.Pick(4); n > 0; --n) {
    const uint16_t vid = Vid(in);
    bridge.fdb().AddStatic(bridge.vlans().Domain(vid), vid, HostMac(in.Byte() & 7),
                           ports.index.at(names[in.Pick(nports)]));
  }

  // Batches, with the clock moving and the configuration changing between them.
  for (int round = 0; round < 24 && !in.empty(); ++round) {
    const uint8_t op = in.Byte();
    const std::string& port = names[in.Pick(nports)];
    const uint16_t idx = ports.index.at(port);
    if (op < 32) {
      bridge.port(idx)->cfg = Config(in, bridge.port(idx)->kind);
      Endpoint(in, bridge, idx);
      continue;
    }
    if (op < 48) {
      clock.Advance(static_cast<MonoNs>(in.U16()) * kNsPerSec / 16);
      bridge.AgeFdb(clock.Now());
      continue;
    }
    std::deque<std::vector<uint8_t>> frames;  // stable storage while the batch runs
    std::vector<uint8_t*> bufs;
    PacketBatch batch;
    for (size_t n = 1 + in.Pick(kBatchSize); n > 0 && !batch.full(); --n) {
      frames.push_back(Frame(in, nports));
      // Each frame in its own allocation of exactly its size, so a read past it is caught.
      bufs.push_back(new uint8_t[frames.back().size()]);
      std::copy(frames.back().begin(), frames.back().end(), bufs.back());
      Packet& p = batch.Append();
      p.frame = bufs.back();
      p.len = static_cast<uint32_t>(frames.back().size());
      const uint8_t how = in.Byte();
      p.wire_len = (how & 0x01) ? p.len + in.Byte() : p.len;
      if (how & 0x02) {
        p.aux_tag = true;
        p.aux_tci = static_cast<uint16_t>(Vid(in) | (in.Byte() & 0xf0) << 8);
        p.aux_tpid = (how & 0x04) ? 0x88a8 : 0x8100;
      }
      if (how & 0x08) {
        std::vector<uint8_t> vnet = in.Bytes(sizeof(Offload));
        vnet.resize(sizeof(Offload));
        std::memcpy(&p.offload, vnet.data(), sizeof(Offload));
      }
      // Consecutive copies of one frame: the parse stage's shortcut for a flow's packets.
      for (int copies = (how & 0x10) ? in.Pick(4) : 0; copies > 0 && !batch.full(); --copies) {
        Packet& q = batch.Append();
        q = p;
      }
    }
    ports.Run(pipeline, port, batch, clock.Now());
    for (auto& [name, fake] : ports.fakes) {
      fake->sent.clear();
      fake->sent_offloads.clear();
    }
    for (uint8_t* b : bufs) delete[] b;
  }
  return 0;
}
