// `pvlanctl save`: every setting a command can change comes out as a command the
// grammar takes, and running the saved commands on a fresh switch rebuilds the same
// configuration, which then saves the same commands again.
#include "daemon/control/config_save.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/ipv4/neigh_parms.h"
#include "daemon/ipv4/sysctl.h"
#include "tests/unit/control/control_fixture.h"

namespace pvland::testing {
namespace {

using ipv4::DevconfStore;
using ipv4::Knob;

// A switch the way a restore builds it: ports have no I/O, so `port add NAME type T
// SETTINGS` becomes a fake port of that kind plus `port set NAME SETTINGS`; sysctls go to
// a devconf store as the router's would, an internal port's conf created when it is added.
struct Switch {
  Switch() : dataplane_(loop_, bridge_, clock_), dispatcher_(ControlContext{bridge_, dataplane_, clock_}) {}

  uint16_t AddTyped(const std::string& name, PortKind kind) {
    auto idx = dataplane_.AddPort(std::make_unique<FakePort>(name, kind), PortConfig{});
    EXPECT_TRUE(idx.ok()) << idx.status();
    static constexpr const char* kTypes[] = {"netdev", "tap", "internal"};
    bridge_.port(*idx)->type = kTypes[static_cast<int>(kind)];
    if (kind == PortKind::kInternal) {
      EXPECT_TRUE(store_.AddPort(name).ok());
    }
    return *idx;
  }
  SwitchPort& Port(std::string_view name) { return *bridge_.port(*bridge_.FindPort(name)); }

  // One command line through the grammar and the handlers, as `pvland -c` runs it.
  absl::Status Exec(std::string_view line) {
    auto words = ctl::SplitLine(line);
    if (!words.ok()) return words.status();
    auto cmd = ctl::ParseCommand(*words, 1);
    if (!cmd.ok()) return cmd.status();
    return dispatcher_.RunLocal(cmd->request);
  }

  std::vector<std::string> Save() { return SaveConfig(bridge_, &store_); }

  // Runs saved lines; every one must parse with the grammar and succeed.
  void Restore(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      auto words = ctl::SplitLine(line);
      ASSERT_TRUE(words.ok()) << line;
      auto parsed = ctl::ParseCommand(*words, 1);
      ASSERT_TRUE(parsed.ok()) << "the grammar refuses saved line '" << line << "': " << parsed.status();
      if ((*words)[0] == "sysctl") {
        ASSERT_EQ((*words)[1], "-w") << line;
        for (size_t i = 2; i < words->size(); ++i)
          ASSERT_TRUE(ipv4::SysctlWriteAssignment(store_, (*words)[i]).ok()) << line;
        continue;
      }
      if ((*words)[0] == "port" && (*words)[1] == "add") {
        ASSERT_GE(words->size(), 5u) << line;
        ASSERT_EQ((*words)[3], "type") << line;
        const std::string& type = (*words)[4];
        const PortKind kind = type == "tap" ? PortKind::kTap : type == "internal" ? PortKind::kInternal : PortKind::kNetdev;
        AddTyped((*words)[2], kind);
        if (words->size() > 5) {
          std::string set = "port set " + (*words)[2];
          for (size_t i = 5; i < words->size(); ++i) set += " " + (*words)[i];
          ASSERT_TRUE(Exec(set).ok()) << set;
        }
        continue;
      }
      ASSERT_TRUE(Exec(line).ok()) << line;
    }
  }

  FakeClock clock_;
  EventLoop loop_;
  Bridge bridge_;
  Dataplane dataplane_;
  Dispatcher dispatcher_;
  DevconfStore store_;
};

class SaveFixture : public ::testing::Test, public Switch {};

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// Every field a command can set; a field the save forgets makes the copies differ here.
void ExpectSameConfig(const PortConfig& a, const PortConfig& b, const std::string& name) {
  SCOPED_TRACE(name);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.vlan, b.vlan);
  EXPECT_EQ(a.allowed, b.allowed);
  EXPECT_EQ(a.native, b.native);
  EXPECT_EQ(a.isolated, b.isolated);
  EXPECT_EQ(a.learning, b.learning);
  EXPECT_EQ(a.flood, b.flood);
  EXPECT_EQ(a.mcast_flood, b.mcast_flood);
  EXPECT_EQ(a.bcast_flood, b.bcast_flood);
  EXPECT_EQ(a.hairpin, b.hairpin);
  EXPECT_EQ(a.source_guard, b.source_guard);
  EXPECT_TRUE(a.security == b.security);
  EXPECT_TRUE(a.psf == b.psf);
}

TEST_F(SaveFixture, AFreshSwitchSavesNothingAndDefaultPortsOnlyTheirAdd) {
  EXPECT_TRUE(Save().empty()) << Joined(Save());
  AddTyped("p1", PortKind::kNetdev);
  AddTyped("t1", PortKind::kTap);
  AddTyped("gw0", PortKind::kInternal);
  EXPECT_EQ(Joined(Save()), "port add p1 type netdev\nport add t1 type tap\nport add gw0 type internal\n");
}

constexpr char kEveryKey[] =
    "port set p1 vlan 7 isolated on learning off flood off mcast_flood off bcast_flood off hairpin on "
    "source_guard strict mac_changes reject forged_transmits reject promiscuous accept mac_learning on "
    "mac_limit 16 mac_limit_policy drop mac_aging 30 initial_mac 02:00:00:00:00:0a psf enabled "
    "role instance psf_liberal on psf_max_entries 100";

TEST_F(SaveFixture, EveryPortKeyIsSavedAndRebuildsTheSameConfiguration) {
  AddTyped("p1", PortKind::kNetdev);
  AddTyped("p2", PortKind::kTap);
  AddTyped("gw0", PortKind::kInternal);
  ASSERT_TRUE(Exec(kEveryKey).ok());
  ASSERT_TRUE(Exec("port set p2 mode trunk allowed 10-20,30 native 10 source_guard loose psf disabled role gateway").ok());
  ASSERT_TRUE(Exec("port set gw0 vlan 100 mcast_flood off").ok());
  const std::vector<std::string> saved = Save();
  ASSERT_EQ(saved.size(), 3u) << Joined(saved);
  for (const char* key : {"vlan 7", "isolated on", "learning off", "flood off", "mcast_flood off", "bcast_flood off",
                          "hairpin on", "source_guard strict", "mac_changes reject", "forged_transmits reject",
                          "promiscuous accept", "mac_learning on", "mac_limit 16", "mac_limit_policy drop",
                          "mac_aging 30", "initial_mac 02:00:00:00:00:0a", "psf enabled", "role instance",
                          "psf_liberal on", "psf_max_entries 100"})
    EXPECT_NE(saved[0].find(std::string(" ") + key), std::string::npos) << key << " missing from: " << saved[0];
  EXPECT_EQ(saved[1], "port add p2 type tap mode trunk allowed 10-20,30 native 10 source_guard loose psf disabled role gateway");

  Switch copy;
  copy.Restore(saved);
  for (const char* name : {"p1", "p2", "gw0"}) ExpectSameConfig(Port(name).cfg, copy.Port(name).cfg, name);
  EXPECT_EQ(Joined(copy.Save()), Joined(saved));
}

TEST_F(SaveFixture, AnAccessPortKeepsTheTrunkListItWasGiven) {
  AddTyped("p1", PortKind::kNetdev);
  ASSERT_TRUE(Exec("port set p1 mode trunk allowed 5 native 5").ok());
  ASSERT_TRUE(Exec("port set p1 mode access").ok());
  const auto saved = Save();
  Switch copy;
  copy.Restore(saved);
  ExpectSameConfig(Port("p1").cfg, copy.Port("p1").cfg, "p1");
}

TEST_F(SaveFixture, PrimaryVlansComeBeforeTheirSecondaries) {
  ASSERT_TRUE(Exec("vlan add 300 pvlan primary").ok());
  ASSERT_TRUE(Exec("vlan add 101 pvlan isolated primary 300").ok());
  ASSERT_TRUE(Exec("vlan add 102 pvlan community primary 300").ok());
  ASSERT_TRUE(Exec("vlan add 50").ok());
  const auto saved = Save();
  EXPECT_EQ(Joined(saved),
            "vlan add 50\nvlan add 300 pvlan primary\nvlan add 101 pvlan isolated primary 300\n"
            "vlan add 102 pvlan community primary 300\n");
  Switch copy;
  copy.Restore(saved);
  EXPECT_EQ(Joined(copy.Save()), Joined(saved));
}

TEST_F(SaveFixture, BridgeSettingsAndStaticEntriesInOrder) {
  AddTyped("p1", PortKind::kNetdev);
  AddTyped("p2", PortKind::kNetdev);
  ASSERT_TRUE(Exec("port set p2 vlan 20").ok());
  ASSERT_TRUE(Exec("bridge set ageing_time 0 psf_max_total 5000").ok());
  ASSERT_TRUE(Exec("fdb add 02:00:00:00:00:09 port p2").ok());
  ASSERT_TRUE(Exec("fdb add 02:00:00:00:00:02 port p1").ok());
  ASSERT_TRUE(Exec("fdb add 02:00:00:00:00:01 port p2 vlan 30").ok());
  // A learned entry is state, not configuration.
  const MacAddr learned{2, 0, 0, 0, 0, 0x77};
  bridge_.fdb().Learn(1, 1, learned.data(), 0, clock_.Now());
  const auto saved = Save();
  EXPECT_EQ(Joined(saved),
            "bridge set ageing_time 0 psf_max_total 5000\n"
            "port add p1 type netdev\nport add p2 type netdev vlan 20\n"
            "fdb add 02:00:00:00:00:02 port p1 vlan 1\nfdb add 02:00:00:00:00:09 port p2 vlan 20\n"
            "fdb add 02:00:00:00:00:01 port p2 vlan 30\n");
  Switch copy;
  copy.Restore(saved);
  EXPECT_EQ(Joined(copy.Save()), Joined(saved));
}

using SaveCommandTest = ControlFixture;

TEST_F(SaveCommandTest, AnswersOneLinePerRecord) {
  const uint16_t idx = AddPort("p1");
  bridge_.port(idx)->type = "netdev";
  ASSERT_TRUE(Run("port set p1 hairpin on").ok());
  auto msgs = Exchange(Request("save"));
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].cmd, PVL_CMD_CONFIG_GET);
  EXPECT_EQ(*msgs[0].Attrs()->String(PVL_A_LINE), "port add p1 type netdev hairpin on");
  EXPECT_EQ(msgs[1].type, NLMSG_ERROR);
  EXPECT_EQ(msgs[1].error, 0);
}

void ExpectSameConf(const ipv4::DevConf& a, const ipv4::DevConf& b, const std::string& dev, bool bits) {
  SCOPED_TRACE(dev);
  for (const ipv4::KnobInfo& k : ipv4::AllKnobs()) {
    EXPECT_EQ(a.Get(k.knob), b.Get(k.knob)) << k.name;
    if (bits && k.knob != Knob::kForwarding) {
      EXPECT_EQ(a.IsWritten(k.knob), b.IsWritten(k.knob)) << k.name;
    }
  }
}

TEST_F(SaveFixture, SysctlsAreReplayedWithTheKernelsSideEffects) {
  AddTyped("gw0", PortKind::kInternal);
  AddTyped("gw1", PortKind::kInternal);
  // all/forwarding forces default and every port, and all/accept_redirects.
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.all.forwarding", "1").ok());
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.all.rp_filter", "2").ok());
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.default.arp_ignore", "1").ok());
  // A port added now copies default's arp_ignore with its bit: a later default write
  // passes it by (gw0 and gw1 follow it).
  AddTyped("gw2", PortKind::kInternal);
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.default.arp_ignore", "2").ok());
  ASSERT_EQ(store_.Find("gw2")->Get(Knob::kArpIgnore), 1);
  ASSERT_EQ(store_.Find("gw0")->Get(Knob::kArpIgnore), 2);
  // Pinned at the value it had: no value differs, the bit does.
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.gw0.rp_filter", "0").ok());
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.gw0.proxy_arp", "1").ok());
  // gw1 got an address: every key stops following default, nothing was written.
  store_.OnAddressAdded("gw1");
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.conf.default.arp_announce", "2").ok());
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.neigh.gw0.proxy_delay", "1").ok());  // 2 jiffies, reads 0
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.ipv4.neigh.gw1.proxy_qlen", "7").ok());
  ASSERT_TRUE(ipv4::SysctlWrite(store_, "net.core.message_cost", "0").ok());

  const auto saved = Save();
  const std::string text = Joined(saved);
  EXPECT_NE(text.find("sysctl -w net.ipv4.conf.gw0.rp_filter=0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sysctl -w net.ipv4.neigh.gw0.proxy_delay=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sysctl -w net.ipv4.conf.gw1.arp_announce=0\n"), std::string::npos)
      << "gw1 kept the old default: " << text;
  EXPECT_EQ(text.find("net.ipv4.conf.gw1.rp_filter"), std::string::npos) << "address bits are not written: " << text;
  EXPECT_LT(text.find("net.ipv4.conf.all.forwarding=1"), text.find("net.ipv4.conf.all.rp_filter"))
      << "all/forwarding first: " << text;
  EXPECT_LT(text.find("port add gw1"), text.find("sysctl")) << "ports first, then what names them: " << text;

  Switch copy;
  copy.Restore(saved);
  EXPECT_EQ(Joined(copy.Save()), text);
  ExpectSameConf(store_.All(), copy.store_.All(), "all", false);
  ExpectSameConf(store_.Default(), copy.store_.Default(), "default", true);
  ExpectSameConf(*store_.Find("gw0"), *copy.store_.Find("gw0"), "gw0", true);
  ExpectSameConf(*store_.Find("gw1"), *copy.store_.Find("gw1"), "gw1", false);
  ExpectSameConf(*store_.Find("gw2"), *copy.store_.Find("gw2"), "gw2", true);
  // And they go on behaving alike: the next default write passes gw2 by in both.
  for (DevconfStore* s : {&store_, &copy.store_})
    ASSERT_TRUE(ipv4::SysctlWrite(*s, "net.ipv4.conf.default.arp_ignore", "3").ok());
  EXPECT_EQ(copy.store_.Find("gw2")->Get(Knob::kArpIgnore), 1);
  EXPECT_EQ(copy.store_.Find("gw0")->Get(Knob::kArpIgnore), 3);
  EXPECT_EQ(copy.store_.Neigh("gw0")->proxy_delay_jiffies, store_.Neigh("gw0")->proxy_delay_jiffies);
  EXPECT_EQ(copy.store_.Neigh("gw1")->proxy_qlen, 7);
  EXPECT_EQ(copy.store_.log_budget().message_cost_s, 0);
}

TEST(ProxyDelayWriteTextTest, EveryStorableDelayIsWrittenBackExactly) {
  for (int t = -3; t <= 500; ++t) {
    auto j = ipv4::ParseProxyDelayToJiffies(std::to_string(t));
    ASSERT_TRUE(j.ok() && j->has_value());
    const std::string text = ProxyDelayWriteText(**j);
    auto back = ipv4::ParseProxyDelayToJiffies(text);
    ASSERT_TRUE(back.ok() && back->has_value()) << text;
    EXPECT_EQ(**back, **j) << "written " << t << ", saved as " << text;
  }
  EXPECT_EQ(ProxyDelayWriteText(200), "80");
  EXPECT_EQ(ProxyDelayWriteText(2), "1") << "reads back as 0, which would store 0";
}

}  // namespace
}  // namespace pvland::testing
