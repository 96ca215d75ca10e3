// The session table: adding and deleting with every refusal leaving the table as it was,
// numbers and VNIs chosen when not given, and Select's order: sessions of a source by
// number, rules by number, the first accept wins, a reject passes the frame on to the
// next session, a session without rules mirrors nothing.
#include "daemon/mirror/sessions.h"

#include <gtest/gtest.h>

#include <deque>

#include "tests/unit/mirror/frames.h"

namespace pvland::mirror {
namespace {

using testing::FrameSpec;
using testing::Parse;

constexpr uint32_t kTarget = 0xc0000209;  // 192.0.2.9

SessionSpec Spec(std::string name, uint16_t source = 0) {
  SessionSpec s;
  s.name = std::move(name);
  s.source = source;
  s.target = kTarget;
  return s;
}

Rule AcceptAll(uint16_t number = 100) { return Rule{.number = number}; }

class SessionsTest : public ::testing::Test {
 protected:
  // VNIs drawn from `draws` in turn.
  SessionsTest()
      : sessions_([this] {
          const uint32_t v = draws_.empty() ? 7 : draws_.front();
          if (!draws_.empty()) draws_.pop_front();
          return v;
        }) {}

  // The name of the session that mirrors `s` seen on `port` in `dir`, or "".
  std::string Selected(uint16_t port, uint8_t dir, const FrameSpec& s) {
    auto f = Parse(s);
    const int id = sessions_.Select(port, dir, f->p);
    return id < 0 ? "" : sessions_.at(static_cast<uint32_t>(id))->name;
  }

  std::deque<uint32_t> draws_;
  Sessions sessions_;
};

TEST_F(SessionsTest, AddKeepsWhatWasGiven) {
  SessionSpec s = Spec("s1", 3);
  s.dirs = kMirrorEgress;
  s.dstport = 8472;
  s.vni = 4242;
  s.length = 100;
  s.number = 7;
  ASSERT_TRUE(sessions_.Add(s).ok());
  const Session* got = sessions_.Find("s1");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->source, 3);
  EXPECT_EQ(got->dirs, kMirrorEgress);
  EXPECT_EQ(got->target, kTarget);
  EXPECT_EQ(got->dstport, 8472);
  EXPECT_EQ(got->vni, 4242u);
  EXPECT_EQ(got->length, 100u);
  EXPECT_EQ(got->number, 7);
  EXPECT_TRUE(got->rules.empty());
  EXPECT_EQ(sessions_.dirs_of(3), kMirrorEgress);
  EXPECT_EQ(sessions_.dirs_of(2), 0);
  EXPECT_EQ(sessions_.dirs_of(4), 0);
  EXPECT_FALSE(sessions_.any_ingress());
}

TEST_F(SessionsTest, RefusalsChangeNothing) {
  ASSERT_TRUE(sessions_.Add(Spec("s1")).ok());
  const auto refused = [&](SessionSpec s, absl::StatusCode code, std::string_view words) {
    auto r = sessions_.Add(s);
    EXPECT_EQ(r.status().code(), code) << r.status();
    EXPECT_NE(std::string(r.status().message()).find(words), std::string::npos) << r.status();
    EXPECT_EQ(sessions_.size(), 1u);
  };
  refused(Spec("s1", 2), absl::StatusCode::kAlreadyExists, "mirror session 's1' exists");
  SessionSpec s = Spec("s2");
  s.number = 1;
  refused(s, absl::StatusCode::kAlreadyExists, "number 1 is taken on this source port by session 's1'");
  s.number = 0;
  refused(s, absl::StatusCode::kInvalidArgument, "number must be 1-32766");
  s = Spec("s2");
  s.vni = 1u << 24;
  refused(s, absl::StatusCode::kInvalidArgument, "vni must be 0-16777215");
  s = Spec("s2");
  s.length = 13;
  refused(s, absl::StatusCode::kInvalidArgument, "length must be 14-65535");
  s = Spec("s2");
  s.target = 0xe0000001;
  refused(s, absl::StatusCode::kInvalidArgument, "unicast IPv4");
  s = Spec("s2");
  s.dstport = 0;
  refused(s, absl::StatusCode::kInvalidArgument, "dstport");
  s = Spec("bad name");
  refused(s, absl::StatusCode::kInvalidArgument, "may only hold");
  s = Spec("s2");
  s.dirs = 0;
  refused(s, absl::StatusCode::kInvalidArgument, "direction");
  EXPECT_EQ(sessions_.Del("nope").code(), absl::StatusCode::kNotFound);
}

TEST_F(SessionsTest, NumbersDefaultToTheLowestFreeOnTheSource) {
  SessionSpec s = Spec("a");
  s.number = 2;
  ASSERT_TRUE(sessions_.Add(s).ok());
  ASSERT_TRUE(sessions_.Add(Spec("b")).ok());
  ASSERT_TRUE(sessions_.Add(Spec("c")).ok());
  ASSERT_TRUE(sessions_.Add(Spec("d", 1)).ok());
  EXPECT_EQ(sessions_.Find("b")->number, 1);
  EXPECT_EQ(sessions_.Find("c")->number, 3);
  EXPECT_EQ(sessions_.Find("d")->number, 1) << "numbers are per source port";
  ASSERT_TRUE(sessions_.Del("b").ok());
  ASSERT_TRUE(sessions_.Add(Spec("e")).ok());
  EXPECT_EQ(sessions_.Find("e")->number, 1);
  EXPECT_EQ(sessions_.NamesOn(0), (std::vector<std::string>{"e", "a", "c"}));
}

TEST_F(SessionsTest, ARandomVniNoOtherSessionUses) {
  SessionSpec s = Spec("a");
  s.vni = 5;
  ASSERT_TRUE(sessions_.Add(s).ok());
  draws_ = {5, 0x01000005, 9};  // taken, taken once folded to 24 bits, free
  ASSERT_TRUE(sessions_.Add(Spec("b")).ok());
  EXPECT_EQ(sessions_.Find("b")->vni, 9u);
  draws_ = {0xffffffff};
  ASSERT_TRUE(sessions_.Add(Spec("c")).ok());
  EXPECT_EQ(sessions_.Find("c")->vni, kMirrorVniMax);
  // A given VNI may be shared (two targets may use one), a drawn one never is.
  SessionSpec d = Spec("d");
  d.vni = 9;
  EXPECT_TRUE(sessions_.Add(d).ok());
}

TEST_F(SessionsTest, ARandomVniIsFoundEvenWhenDrawsKeepHittingTakenOnes) {
  SessionSpec s = Spec("a");
  s.vni = 5;
  ASSERT_TRUE(sessions_.Add(s).ok());
  draws_.assign(100, 5);
  ASSERT_TRUE(sessions_.Add(Spec("b")).ok());
  EXPECT_EQ(sessions_.Find("b")->vni, 6u);
}

TEST_F(SessionsTest, TheDefaultGeneratorGivesDistinctVnis) {
  Sessions real;
  ASSERT_TRUE(real.Add(Spec("a")).ok());
  ASSERT_TRUE(real.Add(Spec("b")).ok());
  EXPECT_NE(real.Find("a")->vni, real.Find("b")->vni);
  EXPECT_LE(real.Find("a")->vni, kMirrorVniMax);
}

TEST_F(SessionsTest, RulesByNumberAndTheirRefusals) {
  ASSERT_TRUE(sessions_.Add(Spec("s1")).ok());
  ASSERT_TRUE(sessions_.AddRule("s1", AcceptAll(20)).ok());
  ASSERT_TRUE(sessions_.AddRule("s1", AcceptAll(10)).ok());
  ASSERT_TRUE(sessions_.AddRule("s1", AcceptAll(30)).ok());
  const auto& rules = sessions_.Find("s1")->rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].number, 10);
  EXPECT_EQ(rules[2].number, 30);
  EXPECT_EQ(sessions_.AddRule("s1", AcceptAll(20)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(sessions_.AddRule("nope", AcceptAll(1)).code(), absl::StatusCode::kNotFound);
  Rule bad = AcceptAll(40);
  bad.dport = PortRange{22, 22};
  EXPECT_EQ(sessions_.AddRule("s1", bad).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sessions_.DelRule("s1", 40).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(sessions_.DelRule("s1", 20).ok());
  EXPECT_EQ(sessions_.Find("s1")->rules.size(), 2u);
  for (uint16_t n = 100; sessions_.Find("s1")->rules.size() < Sessions::kMaxRules; ++n)
    ASSERT_TRUE(sessions_.AddRule("s1", AcceptAll(n)).ok());
  EXPECT_EQ(sessions_.AddRule("s1", AcceptAll(5000)).code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(SessionsTest, ASessionWithoutRulesMirrorsNothing) {
  ASSERT_TRUE(sessions_.Add(Spec("s1")).ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {}), "");
  EXPECT_EQ(Selected(0, kMirrorIngress, {}), "");
}

TEST_F(SessionsTest, OnlyIpFramesAreMirrored) {
  ASSERT_TRUE(sessions_.Add(Spec("s1")).ok());
  ASSERT_TRUE(sessions_.AddRule("s1", AcceptAll()).ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {}), "s1");
  EXPECT_EQ(Selected(0, kMirrorEgress, {.v6 = true}), "s1");
  EXPECT_EQ(Selected(0, kMirrorEgress, {.arp = true}), "");
  EXPECT_EQ(sessions_.Find("s1")->rules[0].hits, 2u) << "ARP never reaches the rules";
}

TEST_F(SessionsTest, TheFirstAcceptingSessionByNumberTakesTheFrameOnce) {
  // AWS's example: HTTP to one tool (session 1), other TCP to another (session 2).
  SessionSpec web = Spec("web");
  web.number = 1;
  SessionSpec tcp = Spec("tcp");
  tcp.number = 2;
  ASSERT_TRUE(sessions_.Add(tcp).ok());
  ASSERT_TRUE(sessions_.Add(web).ok());
  Rule http = AcceptAll(10);
  http.protocol = kIpProtoTcp;
  http.dport = PortRange{80, 80};
  ASSERT_TRUE(sessions_.AddRule("web", http).ok());
  Rule all_tcp = AcceptAll(10);
  all_tcp.protocol = kIpProtoTcp;
  ASSERT_TRUE(sessions_.AddRule("tcp", all_tcp).ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoTcp}), "web");
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoTcp, .dport = 22}), "tcp");
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoUdp}), "");
  EXPECT_EQ(sessions_.Find("web")->rules[0].hits, 1u);
  EXPECT_EQ(sessions_.Find("tcp")->rules[0].hits, 1u) << "session 2 is not asked for what session 1 took";
}

TEST_F(SessionsTest, ARejectHidesTheFrameFromItsSessionOnly) {
  SessionSpec a = Spec("a");
  a.number = 1;
  ASSERT_TRUE(sessions_.Add(a).ok());
  ASSERT_TRUE(sessions_.Add(Spec("b")).ok());
  Rule no_ssh = AcceptAll(10);
  no_ssh.accept = false;
  no_ssh.protocol = kIpProtoTcp;
  no_ssh.dport = PortRange{22, 22};
  ASSERT_TRUE(sessions_.AddRule("a", no_ssh).ok());
  ASSERT_TRUE(sessions_.AddRule("a", AcceptAll(20)).ok());
  ASSERT_TRUE(sessions_.AddRule("b", AcceptAll(10)).ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoTcp, .dport = 80}), "a");
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoTcp, .dport = 22}), "b")
      << "a's reject ends a's rules; b still sees the frame";
  EXPECT_EQ(sessions_.Find("a")->rules[0].hits, 1u);
  EXPECT_EQ(sessions_.Find("a")->rules[1].hits, 1u) << "rule 20 is not asked after rule 10 rejected";
}

TEST_F(SessionsTest, EveryProtocolNumberReachesItsRulesAndOnlyThose) {
  ASSERT_TRUE(sessions_.Add(Spec("s1")).ok());
  for (uint8_t proto : {uint8_t{0}, uint8_t{63}, uint8_t{64}, uint8_t{200}, uint8_t{255}}) {
    Rule r = AcceptAll(static_cast<uint16_t>(proto + 1));
    r.protocol = proto;
    ASSERT_TRUE(sessions_.AddRule("s1", r).ok());
    EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = proto}), "s1") << int(proto);
    EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = static_cast<uint8_t>(proto ^ 1)}), "") << int(proto ^ 1);
  }
  // A reject rule's protocol is asked too, so its hits stay exact.
  ASSERT_TRUE(sessions_.Add(Spec("s0")).ok());
  Rule no_ssh = AcceptAll(1);
  no_ssh.accept = false;
  no_ssh.protocol = kIpProtoTcp;
  ASSERT_TRUE(sessions_.AddRule("s0", no_ssh).ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoTcp}), "");
  EXPECT_EQ(sessions_.Find("s0")->rules[0].hits, 1u);
  ASSERT_TRUE(sessions_.DelRule("s0", 1).ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {.proto = kIpProtoTcp}), "") << "no rule takes TCP any more";
}

TEST_F(SessionsTest, DirectionsOfSessionsAndOfRules) {
  SessionSpec out = Spec("out");
  out.dirs = kMirrorEgress;
  ASSERT_TRUE(sessions_.Add(out).ok());
  ASSERT_TRUE(sessions_.AddRule("out", AcceptAll()).ok());
  EXPECT_EQ(sessions_.dirs_of(0), kMirrorEgress);
  EXPECT_FALSE(sessions_.any_ingress());
  EXPECT_EQ(Selected(0, kMirrorEgress, {}), "out");
  EXPECT_EQ(Selected(0, kMirrorIngress, {}), "");
  ASSERT_TRUE(sessions_.Add(Spec("both")).ok());
  Rule in_only = AcceptAll();
  in_only.dirs = kMirrorIngress;
  ASSERT_TRUE(sessions_.AddRule("both", in_only).ok());
  EXPECT_TRUE(sessions_.any_ingress());
  EXPECT_EQ(sessions_.dirs_of(0), kMirrorBoth);
  EXPECT_EQ(Selected(0, kMirrorIngress, {}), "both");
  EXPECT_EQ(sessions_.Find("both")->rules[0].hits, 1u);
  // Egress: "out" (number 1) takes it; "both" (number 2) would not, its rule is ingress only.
  ASSERT_TRUE(sessions_.Del("out").ok());
  EXPECT_EQ(Selected(0, kMirrorEgress, {}), "");
}

TEST_F(SessionsTest, SessionsOfAPortGoWithIt) {
  ASSERT_TRUE(sessions_.Add(Spec("a", 1)).ok());
  ASSERT_TRUE(sessions_.Add(Spec("b", 2)).ok());
  sessions_.RemoveSessionsOf(1);
  EXPECT_EQ(sessions_.Find("a"), nullptr);
  EXPECT_NE(sessions_.Find("b"), nullptr);
  EXPECT_EQ(sessions_.dirs_of(1), 0);
  EXPECT_EQ(sessions_.size(), 1u);
  EXPECT_EQ(sessions_.Ordered().size(), 1u);
  EXPECT_EQ(Selected(1, kMirrorEgress, {}), "");
}

TEST_F(SessionsTest, OrderedBySourceThenNumber) {
  ASSERT_TRUE(sessions_.Add(Spec("z", 0)).ok());
  SessionSpec y = Spec("y", 2);
  y.number = 5;
  ASSERT_TRUE(sessions_.Add(y).ok());
  ASSERT_TRUE(sessions_.Add(Spec("x", 2)).ok());
  std::vector<std::string> names;
  for (const Session* s : sessions_.Ordered()) names.push_back(s->name);
  EXPECT_EQ(names, (std::vector<std::string>{"z", "x", "y"}));
}

}  // namespace
}  // namespace pvland::mirror
