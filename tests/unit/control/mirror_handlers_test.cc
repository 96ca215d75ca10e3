// mirror add | del | rule add | rule del | show through the dispatcher: what the grammar
// sends builds the sessions it says, the daemon refuses bad input itself (requests built
// by hand) and a refusal changes nothing, a source port cannot be deleted under its
// sessions, and MirrorCommands gives back lines that rebuild the same configuration.
#include "daemon/control/mirror_handlers.h"

#include <gtest/gtest.h>

#include "tests/unit/control/control_fixture.h"

namespace pvland::testing {
namespace {

class MirrorHandlersTest : public ControlFixture {
 protected:
  void SetUp() override {
    dataplane_.mirror_sender().OpenForTest();  // no raw socket in unit tests
    AddPort("p1");
    AddPort("p2");
  }
  const mirror::Session* S(std::string_view name) { return bridge_.mirror().Find(name); }
  // The text of the reply's error, for a refused request.
  std::string Refusal(std::string_view line) {
    absl::Status s = Run(line);
    EXPECT_FALSE(s.ok()) << line;
    return std::string(s.message());
  }
};

TEST_F(MirrorHandlersTest, AddWithDefaults) {
  ASSERT_TRUE(Run("mirror add s1 source p1 target 192.0.2.9").ok());
  const mirror::Session* s = S("s1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->source, *bridge_.FindPort("p1"));
  EXPECT_EQ(s->dirs, kMirrorBoth);
  EXPECT_EQ(s->target, 0xc0000209u);
  EXPECT_EQ(s->dstport, 4789);
  EXPECT_EQ(s->length, 0u);
  EXPECT_EQ(s->number, 1);
  EXPECT_LE(s->vni, kMirrorVniMax);
  EXPECT_TRUE(s->rules.empty());
}

TEST_F(MirrorHandlersTest, AddWithEverything) {
  ASSERT_TRUE(Run("mirror add s1 source p2 direction ingress target 10.1.2.3 dstport 8472 vni 0 length 128 number 9").ok());
  const mirror::Session* s = S("s1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->source, *bridge_.FindPort("p2"));
  EXPECT_EQ(s->dirs, kMirrorIngress);
  EXPECT_EQ(s->dstport, 8472);
  EXPECT_EQ(s->vni, 0u);
  EXPECT_EQ(s->length, 128u);
  EXPECT_EQ(s->number, 9);
}

TEST_F(MirrorHandlersTest, BadAddsChangeNothing) {
  ASSERT_TRUE(Run("mirror add s1 source p1 target 192.0.2.9").ok());
  EXPECT_EQ(Refusal("mirror add s1 source p2 target 192.0.2.9"), "mirror session 's1' exists");
  EXPECT_EQ(Refusal("mirror add s2 source p9 target 192.0.2.9"), "no port named 'p9'");
  EXPECT_NE(Refusal("mirror add s2 source p1 target 192.0.2.9 number 1").find("number 1 is taken"), std::string::npos);
  EXPECT_NE(Refusal("mirror add s2 source p1 target 224.0.0.1").find("unicast IPv4"), std::string::npos);
  EXPECT_EQ(bridge_.mirror().size(), 1u);
  // Past the grammar: values the daemon must refuse on its own.
  auto raw = [&](auto fill) {
    return RunRaw(PVL_CMD_MIRROR_ADD, [&](ctl::MessageBuilder& b) {
      b.PutString(PVL_A_NAME, "s3");
      b.PutString(PVL_A_SOURCE, "p1");
      b.PutIpv4(PVL_A_TARGET, 0xc0000209);
      fill(b);
    });
  };
  EXPECT_EQ(raw([](ctl::MessageBuilder& b) { b.PutU32(PVL_A_VNI, 1u << 24); }).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(raw([](ctl::MessageBuilder& b) { b.PutU32(PVL_A_PACKET_LENGTH, 5); }).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(raw([](ctl::MessageBuilder& b) { b.PutU16(PVL_A_NUMBER, 40000); }).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(raw([](ctl::MessageBuilder& b) { b.PutString(PVL_A_MIRROR_DIR, "sideways"); }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(raw([](ctl::MessageBuilder& b) { b.PutU16(PVL_A_DSTPORT, 0); }).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunRaw(PVL_CMD_MIRROR_ADD, [](ctl::MessageBuilder& b) {
              b.PutString(PVL_A_NAME, "s3");
              b.PutString(PVL_A_SOURCE, "p1");
            }).message(),
            "target address missing");
  EXPECT_EQ(RunRaw(PVL_CMD_MIRROR_ADD, [](ctl::MessageBuilder& b) {
              b.PutString(PVL_A_NAME, "no way");
              b.PutString(PVL_A_SOURCE, "p1");
              b.PutIpv4(PVL_A_TARGET, 0xc0000209);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bridge_.mirror().size(), 1u);
}

TEST_F(MirrorHandlersTest, RulesAddAndDelete) {
  ASSERT_TRUE(Run("mirror add s1 source p1 target 192.0.2.9").ok());
  ASSERT_TRUE(Run("mirror rule add s1 number 20 reject direction egress protocol tcp dport 22").ok());
  ASSERT_TRUE(Run("mirror rule add s1 number 10 accept protocol udp src 10.0.0.0/8 dst 10.0.0.2 sport 1024-65535").ok());
  ASSERT_TRUE(Run("mirror rule add s1 number 30 accept src 2001:db8::/32").ok());
  const auto& rules = S("s1")->rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].number, 10);
  EXPECT_TRUE(rules[0].accept);
  EXPECT_EQ(rules[0].protocol, kProtoUdp);
  EXPECT_EQ(FormatIpPrefix(*rules[0].src), "10.0.0.0/8");
  EXPECT_EQ(FormatIpPrefix(*rules[0].dst), "10.0.0.2/32");
  EXPECT_EQ(rules[0].sport, (PortRange{1024, 65535}));
  EXPECT_FALSE(rules[0].dport);
  EXPECT_EQ(rules[0].dirs, kMirrorBoth);
  EXPECT_FALSE(rules[1].accept);
  EXPECT_EQ(rules[1].dirs, kMirrorEgress);
  EXPECT_EQ(rules[1].dport, (PortRange{22, 22}));
  EXPECT_FALSE(rules[2].protocol);
  EXPECT_TRUE(rules[2].src->v6);
  ASSERT_TRUE(Run("mirror rule del s1 number 20").ok());
  EXPECT_EQ(S("s1")->rules.size(), 2u);
  EXPECT_EQ(Refusal("mirror rule del s1 number 20"), "session 's1' has no rule number 20");
  EXPECT_EQ(Refusal("mirror rule add s1 number 10 accept"), "session 's1' already has rule number 10");
  EXPECT_EQ(Refusal("mirror rule add s9 number 1 accept"), "no mirror session named 's9'");
  // Past the grammar.
  const auto raw = [&](auto fill) {
    return RunRaw(PVL_CMD_MIRROR_RULE_ADD, [&](ctl::MessageBuilder& b) {
      b.PutString(PVL_A_NAME, "s1");
      b.PutU16(PVL_A_NUMBER, 50);
      fill(b);
    });
  };
  EXPECT_EQ(raw([](ctl::MessageBuilder&) {}).message(), "rule action must be accept or reject");
  const auto with_action = [&](auto fill) {
    return raw([&](ctl::MessageBuilder& b) {
      b.PutString(PVL_A_ACTION, "accept");
      fill(b);
    });
  };
  EXPECT_NE(with_action([](ctl::MessageBuilder& b) { b.PutString(PVL_A_DPORT, "80"); }).message().find("need protocol tcp or udp"),
            std::string_view::npos);
  EXPECT_NE(with_action([](ctl::MessageBuilder& b) { b.PutString(PVL_A_SRC, "10.0.0.1/8"); }).message().find("did you mean"),
            std::string_view::npos);
  EXPECT_FALSE(with_action([](ctl::MessageBuilder& b) { b.PutString(PVL_A_PROTOCOL, "sctp"); }).ok());
  EXPECT_FALSE(with_action([](ctl::MessageBuilder& b) {
                 b.PutString(PVL_A_PROTOCOL, "tcp");
                 b.PutString(PVL_A_SPORT, "9-1");
               }).ok());
  EXPECT_FALSE(with_action([](ctl::MessageBuilder& b) {
                 b.PutString(PVL_A_SRC, "10.0.0.0/8");
                 b.PutString(PVL_A_DST, "::/0");
               }).ok());
  EXPECT_EQ(S("s1")->rules.size(), 2u);
}

TEST_F(MirrorHandlersTest, DeletingASessionAndItsSourcePort) {
  ASSERT_TRUE(Run("mirror add s1 source p1 target 192.0.2.9").ok());
  ASSERT_TRUE(Run("mirror add s2 source p1 target 192.0.2.9").ok());
  EXPECT_EQ(Refusal("port del p1"),
            "port p1 is the source of mirror sessions s1, s2; delete them first (mirror del NAME)");
  EXPECT_TRUE(bridge_.FindPort("p1"));
  ASSERT_TRUE(Run("mirror del s1").ok());
  EXPECT_EQ(Refusal("port del p1"), "port p1 is the source of mirror session s2; delete it first (mirror del NAME)");
  ASSERT_TRUE(Run("mirror del s2").ok());
  EXPECT_EQ(Refusal("mirror del s2"), "no mirror session named 's2'");
  EXPECT_TRUE(Run("port del p1").ok());
  EXPECT_TRUE(Run("port del p2").ok()) << "not a source";
}

TEST_F(MirrorHandlersTest, ShowOneOrAll) {
  ASSERT_TRUE(Run("mirror add s2 source p2 target 192.0.2.9 vni 7 length 100").ok());
  ASSERT_TRUE(Run("mirror add s1 source p1 target 192.0.2.10 vni 8").ok());
  ASSERT_TRUE(Run("mirror rule add s1 number 5 accept protocol tcp dport 80").ok());
  auto all = Exchange(Request("mirror show"));
  ASSERT_EQ(all.size(), 3u);  // two records and the ack
  auto first = all[0].Attrs();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->String(PVL_A_NAME), "s1") << "by source port, then number";
  EXPECT_EQ(first->String(PVL_A_SOURCE), "p1");
  EXPECT_EQ(first->U32(PVL_A_VNI), 8u);
  EXPECT_FALSE(first->Has(PVL_A_PACKET_LENGTH));
  auto rules = first->Items(PVL_A_RULES);
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].String(PVL_A_PROTOCOL), "tcp");
  EXPECT_EQ((*rules)[0].String(PVL_A_DPORT), "80");
  EXPECT_EQ((*rules)[0].U64(PVL_A_HITS), 0u);
  auto second = all[1].Attrs();
  EXPECT_EQ(second->U32(PVL_A_PACKET_LENGTH), 100u);
  auto one = Exchange(Request("mirror show s2"));
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].Attrs()->String(PVL_A_NAME), "s2");
  auto none = Exchange(Request("mirror show nope"));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].error, -ENOENT);
}

TEST_F(MirrorHandlersTest, CommandsRebuildTheSameConfiguration) {
  ASSERT_TRUE(Run("mirror add web source p1 direction egress target 192.0.2.9 length 200 number 3").ok());
  ASSERT_TRUE(Run("mirror add rest source p1 target 192.0.2.10 dstport 8472").ok());
  ASSERT_TRUE(Run("mirror add in source p2 direction ingress target 192.0.2.9 vni 0").ok());
  ASSERT_TRUE(Run("mirror rule add web number 10 accept protocol tcp dport 80-81 src 10.0.0.0/24").ok());
  ASSERT_TRUE(Run("mirror rule add web number 5 reject direction ingress protocol udp sport 53 dst 2001:db8::1").ok());
  ASSERT_TRUE(Run("mirror rule add rest number 1 accept protocol 132").ok());
  const std::vector<std::string> lines = MirrorCommands(bridge_);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "mirror add rest source p1 direction both target 192.0.2.10 dstport 8472 vni " +
                          std::to_string(S("rest")->vni) + " number 1");
  EXPECT_EQ(lines[1], "mirror rule add rest number 1 accept direction both protocol 132");
  EXPECT_EQ(lines[2], "mirror add web source p1 direction egress target 192.0.2.9 dstport 4789 vni " +
                          std::to_string(S("web")->vni) + " length 200 number 3");
  EXPECT_EQ(lines[3], "mirror rule add web number 5 reject direction ingress protocol udp dst 2001:db8::1/128 sport 53");
  EXPECT_EQ(lines[4], "mirror rule add web number 10 accept direction both protocol tcp src 10.0.0.0/24 dport 80-81");
  EXPECT_EQ(lines[5], "mirror add in source p2 direction ingress target 192.0.2.9 dstport 4789 vni 0 number 1");
  // Run on a fresh switch with the same ports, they give back the same lines.
  ASSERT_TRUE(Run("mirror del web").ok());
  ASSERT_TRUE(Run("mirror del rest").ok());
  ASSERT_TRUE(Run("mirror del in").ok());
  for (const std::string& l : lines) ASSERT_TRUE(Run(l).ok()) << l;
  EXPECT_EQ(MirrorCommands(bridge_), lines);
}

}  // namespace
}  // namespace pvland::testing
