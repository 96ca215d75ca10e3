#include "daemon/mirror/sessions.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "daemon/packet/vxlan.h"

namespace pvland::mirror {

static_assert(kMirrorVniMax == kVniMax, "one VNI range");

namespace {

std::function<uint32_t()> DefaultRandom() {
  auto engine = std::make_shared<std::mt19937>(std::random_device{}());
  return [engine] { return static_cast<uint32_t>((*engine)()); };
}

std::string Quoted(std::string_view s) { return absl::StrCat("'", std::string(s), "'"); }

}  // namespace

Sessions::Sessions(std::function<uint32_t()> random) : random_(random ? std::move(random) : DefaultRandom()) {}

bool Sessions::VniInUse(uint32_t vni) const {
  for (const auto& s : slots_)
    if (s && s->vni == vni) return true;
  return false;
}

uint32_t Sessions::RandomFreeVni() {
  // At most kMaxSessions of 16M values are taken: a few draws find a free one; the scan
  // after them only bounds the loop.
  for (int i = 0; i < 64; ++i) {
    const uint32_t v = random_() & kMirrorVniMax;
    if (!VniInUse(v)) return v;
  }
  uint32_t v = random_() & kMirrorVniMax;
  while (VniInUse(v)) v = (v + 1) & kMirrorVniMax;
  return v;
}

absl::StatusOr<uint32_t> Sessions::Add(const SessionSpec& spec) {
  if (absl::Status s = CheckMirrorName(spec.name); !s.ok()) return s;
  if (Find(spec.name) != nullptr)
    return absl::AlreadyExistsError(absl::StrCat("mirror session ", Quoted(spec.name), " exists"));
  if (count_ >= kMaxSessions)
    return absl::ResourceExhaustedError(absl::StrCat("at most ", kMaxSessions, " mirror sessions"));
  if (spec.dirs == 0 || (spec.dirs & ~kMirrorBoth) != 0)
    return absl::InvalidArgumentError("direction must be ingress, egress or both");
  if (spec.vni && *spec.vni > kMirrorVniMax)
    return absl::InvalidArgumentError(absl::StrCat("vni must be 0-", kMirrorVniMax));
  if (spec.length != 0 && (spec.length < kMirrorLengthMin || spec.length > kMirrorLengthMax))
    return absl::InvalidArgumentError(absl::StrCat("length must be ", kMirrorLengthMin, "-", kMirrorLengthMax));
  if (spec.dstport == 0) return absl::InvalidArgumentError("dstport must be 1-65535");
  if (spec.target == 0 || spec.target == 0xffffffff || (spec.target >> 28) == 0xe)
    return absl::InvalidArgumentError("target must be a unicast IPv4 address");
  const std::vector<uint32_t> none;
  const std::vector<uint32_t>& on_port = spec.source < by_port_.size() ? by_port_[spec.source].ids : none;
  // The session of the source with number `n`, or null.
  auto holder = [&](uint32_t n) -> const Session* {
    for (uint32_t id : on_port)
      if (slots_[id]->number == n) return slots_[id].get();
    return nullptr;
  };
  uint16_t number = 0;
  if (spec.number) {
    if (*spec.number < 1 || *spec.number > kMirrorNumberMax)
      return absl::InvalidArgumentError(absl::StrCat("number must be 1-", kMirrorNumberMax));
    if (const Session* other = holder(*spec.number))
      return absl::AlreadyExistsError(
          absl::StrCat("number ", *spec.number, " is taken on this source port by session ", Quoted(other->name)));
    number = *spec.number;
  } else {
    for (uint32_t n = 1; n <= kMirrorNumberMax && number == 0; ++n)
      if (holder(n) == nullptr) number = static_cast<uint16_t>(n);
  }
  auto s = std::make_unique<Session>();
  s->name = spec.name;
  s->source = spec.source;
  s->dirs = spec.dirs;
  s->target = spec.target;
  s->dstport = spec.dstport;
  s->vni = spec.vni ? *spec.vni : RandomFreeVni();
  s->length = spec.length;
  s->number = number;
  uint32_t id = 0;
  while (id < slots_.size() && slots_[id]) ++id;
  if (id == slots_.size()) slots_.emplace_back();
  slots_[id] = std::move(s);
  ++count_;
  Reindex();
  return id;
}

absl::Status Sessions::Del(std::string_view name) {
  for (auto& s : slots_) {
    if (s && s->name == name) {
      s.reset();
      --count_;
      Reindex();
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(absl::StrCat("no mirror session named ", Quoted(name)));
}

absl::Status Sessions::AddRule(std::string_view session, const Rule& rule) {
  Session* s = Find(session);
  if (s == nullptr) return absl::NotFoundError(absl::StrCat("no mirror session named ", Quoted(session)));
  if (absl::Status st = rule.Check(); !st.ok()) return st;
  if (rule.dirs == 0 || (rule.dirs & ~kMirrorBoth) != 0)
    return absl::InvalidArgumentError("direction must be ingress, egress or both");
  auto at = std::lower_bound(s->rules.begin(), s->rules.end(), rule.number,
                             [](const Rule& r, uint16_t n) { return r.number < n; });
  if (at != s->rules.end() && at->number == rule.number)
    return absl::AlreadyExistsError(
        absl::StrCat("session ", Quoted(session), " already has rule number ", rule.number));
  if (s->rules.size() >= kMaxRules)
    return absl::ResourceExhaustedError(absl::StrCat("at most ", kMaxRules, " rules per mirror session"));
  Rule r = rule;
  r.hits = 0;
  s->rules.insert(at, r);
  Reindex();
  return absl::OkStatus();
}

absl::Status Sessions::DelRule(std::string_view session, uint16_t number) {
  Session* s = Find(session);
  if (s == nullptr) return absl::NotFoundError(absl::StrCat("no mirror session named ", Quoted(session)));
  auto it = std::find_if(s->rules.begin(), s->rules.end(), [&](const Rule& r) { return r.number == number; });
  if (it == s->rules.end())
    return absl::NotFoundError(absl::StrCat("session ", Quoted(session), " has no rule number ", number));
  s->rules.erase(it);
  Reindex();
  return absl::OkStatus();
}

void Sessions::RemoveSessionsOf(uint16_t port) {
  for (auto& s : slots_) {
    if (s && s->source == port) {
      s.reset();
      --count_;
    }
  }
  Reindex();
}

const Session* Sessions::Find(std::string_view name) const {
  for (const auto& s : slots_)
    if (s && s->name == name) return s.get();
  return nullptr;
}

Session* Sessions::Find(std::string_view name) {
  return const_cast<Session*>(static_cast<const Sessions*>(this)->Find(name));
}

std::vector<const Session*> Sessions::Ordered() const {
  std::vector<const Session*> out;
  for (const PortIndex& port : by_port_)
    for (uint32_t id : port.ids) out.push_back(slots_[id].get());
  return out;
}

std::vector<std::string> Sessions::NamesOn(uint16_t port) const {
  std::vector<std::string> out;
  if (port < by_port_.size())
    for (uint32_t id : by_port_[port].ids) out.push_back(slots_[id]->name);
  return out;
}

void Sessions::Reindex() {
  by_port_.clear();
  port_dirs_.clear();
  any_ingress_ = false;
  for (uint32_t id = 0; id < slots_.size(); ++id) {
    const Session* s = slots_[id].get();
    if (s == nullptr) continue;
    if (by_port_.size() <= s->source) {
      by_port_.resize(s->source + 1u);
      port_dirs_.resize(s->source + 1u, 0);
    }
    PortIndex& port = by_port_[s->source];
    port.ids.push_back(id);
    port_dirs_[s->source] |= s->dirs;
    any_ingress_ = any_ingress_ || (s->dirs & kMirrorIngress) != 0;
    for (uint8_t dir : {kMirrorEgress, kMirrorIngress}) {
      if ((s->dirs & dir) == 0) continue;
      auto& protocols = port.protocols[DirIndex(dir)];
      for (const Rule& r : s->rules) {
        if ((r.dirs & dir) == 0) continue;
        if (!r.protocol) {
          protocols.fill(~uint64_t{0});
          break;
        }
        protocols[*r.protocol >> 6] |= uint64_t{1} << (*r.protocol & 63);
      }
    }
  }
  for (PortIndex& port : by_port_)
    std::sort(port.ids.begin(), port.ids.end(),
              [&](uint32_t a, uint32_t b) { return slots_[a]->number < slots_[b]->number; });
}

int Sessions::SelectByRules(const PortIndex& index, uint8_t dir, const Packet& p) {
  const FlowFacts f = IpFactsOf(p);
  for (uint32_t id : index.ids) {
    Session& s = *slots_[id];
    if ((s.dirs & dir) == 0) continue;
    for (Rule& r : s.rules) {
      if ((r.dirs & dir) == 0 || !Matches(r, f)) continue;
      ++r.hits;
      if (r.accept) return static_cast<int>(id);
      break;  // rejected by this session; a later one may still take it
    }
  }
  return -1;
}

}  // namespace pvland::mirror
