// ParseCommand, table-driven: every verb of the grammar builds the request it should
// (decoded back and compared attribute by attribute), and every kind of bad input fails
// with a message that names the problem.
#include "ctl/cli/grammar.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/ctl/decode.h"

namespace pvland::ctl {
namespace {

using ::testing::HasSubstr;
using testing::DescribeRequest;

std::vector<std::string> Words(const std::string& line) {
  auto w = SplitLine(line);
  EXPECT_TRUE(w.ok()) << line;
  return w.ok() ? *w : std::vector<std::string>{};
}

struct Good {
  const char* line;
  const char* request;  // DescribeRequest of the built message
};

class GoodCommand : public ::testing::TestWithParam<Good> {};

TEST_P(GoodCommand, BuildsTheRequest) {
  auto c = ParseCommand(Words(GetParam().line), 7);
  ASSERT_TRUE(c.ok()) << c.status();
  uint32_t seq = 0;
  EXPECT_EQ(DescribeRequest(c->request, &seq), GetParam().request);
  EXPECT_EQ(seq, 7u);
  EXPECT_EQ(CmdName(c->cmd), std::string(GetParam().request).substr(0, CmdName(c->cmd).size()));
}

INSTANTIATE_TEST_SUITE_P(
    Port, GoodCommand,
    ::testing::Values(
        Good{"port add veth0", "PORT_ADD name=veth0 type=netdev"},
        Good{"port add t1 type tap", "PORT_ADD name=t1 type=tap"},
        Good{"port add r1 type internal vlan 10", "PORT_ADD name=r1 type=internal vlan=10"},
        Good{"port add eth1 type netdev mode trunk allowed 20,10,11-12 native none",
             "PORT_ADD name=eth1 type=netdev mode=trunk allowed=10-12,20 native=0"},
        Good{"port add vx0 type vxlan vni 42 remote 10.0.0.2", "PORT_ADD name=vx0 type=vxlan vni=42 remotes=[{addr=10.0.0.2}]"},
        Good{"port add vx0 type vxlan remote 10.0.0.2 mode trunk remote 10.0.0.3 dstport 8472 local 10.0.0.1 vni 0",
             "PORT_ADD name=vx0 type=vxlan mode=trunk dstport=8472 local=10.0.0.1 vni=0 "
             "remotes=[{addr=10.0.0.2},{addr=10.0.0.3}]"},
        Good{"port del p1", "PORT_DEL name=p1"},
        Good{"port set p1 vlan 4094", "PORT_SET name=p1 vlan=4094"},
        Good{"port set p1 vlan 1 isolated on learning off",
             "PORT_SET name=p1 vlan=1 isolated=on learning=off"},
        Good{"port set p1 mode access", "PORT_SET name=p1 mode=access"},
        Good{"port set p1 mode trunk allowed all native 5",
             "PORT_SET name=p1 mode=trunk allowed=all native=5"},
        Good{"port set p1 allowed none", "PORT_SET name=p1 allowed=none"},
        Good{"port set p1 allowed 1-4094", "PORT_SET name=p1 allowed=all"},
        Good{"port set p1 source_guard strict", "PORT_SET name=p1 source_guard=strict"},
        Good{"port set p1 forged_transmits reject mac_learning on mac_limit 8 initial_mac auto",
             "PORT_SET name=p1 forged_transmits=reject mac_learning=on mac_limit=8 initial_mac=auto"},
        Good{"port add p1 type netdev source_guard loose",
             "PORT_ADD name=p1 type=netdev source_guard=loose"},
        Good{"port set p1 flood off mcast_flood off bcast_flood on hairpin on",
             "PORT_SET name=p1 flood=off mcast_flood=off bcast_flood=on hairpin=on"},
        Good{"port show", "PORT_GET dump"},
        Good{"port show p1", "PORT_GET name=p1"}));

INSTANTIATE_TEST_SUITE_P(
    Vlan, GoodCommand,
    ::testing::Values(Good{"vlan add 10", "VLAN_ADD vlan=10"},
                      Good{"vlan add 100 pvlan primary", "VLAN_ADD vlan=100 pvlan_type=primary"},
                      Good{"vlan add 101 pvlan isolated primary 100",
                           "VLAN_ADD vlan=101 pvlan_type=isolated primary=100"},
                      Good{"vlan add 102 pvlan community primary 100",
                           "VLAN_ADD vlan=102 pvlan_type=community primary=100"},
                      Good{"vlan del 10", "VLAN_DEL vlan=10"},
                      Good{"vlan show", "VLAN_GET dump"},
                      Good{"vlan show 10", "VLAN_GET vlan=10"}));

INSTANTIATE_TEST_SUITE_P(
    Fdb, GoodCommand,
    ::testing::Values(
        Good{"fdb show", "FDB_GET dump"},
        Good{"fdb show vlan 3 port p2", "FDB_GET dump vlan=3 port=p2"},
        Good{"fdb add 02:00:00:00:00:0A port p1", "FDB_ADD mac=02:00:00:00:00:0a port=p1"},
        Good{"fdb add 2:0:0:0:0:b port p1 vlan 20", "FDB_ADD mac=02:00:00:00:00:0b port=p1 vlan=20"},
        Good{"fdb add 02:00:00:00:00:01 vlan 20 port p1",
             "FDB_ADD mac=02:00:00:00:00:01 vlan=20 port=p1"},
        Good{"fdb del 02:00:00:00:00:01", "FDB_DEL mac=02:00:00:00:00:01"},
        Good{"fdb del 02:00:00:00:00:01 vlan 9", "FDB_DEL mac=02:00:00:00:00:01 vlan=9"},
        Good{"fdb flush", "FDB_FLUSH flush=all"},
        Good{"fdb flush dynamic", "FDB_FLUSH flush=dynamic"},
        Good{"fdb flush port p1 vlan 2 dynamic", "FDB_FLUSH port=p1 vlan=2 flush=dynamic"}));

INSTANTIATE_TEST_SUITE_P(
    Other, GoodCommand,
    ::testing::Values(
        Good{"stats show", "STATS_GET dump"},
        Good{"stats show p1", "STATS_GET name=p1"},
        Good{"stats clear", "STATS_CLEAR"},
        Good{"stats clear p1", "STATS_CLEAR name=p1"},
        Good{"bridge set ageing_time 0", "BRIDGE_SET ageing_time=0"},
        Good{"bridge set ageing_time 1000000", "BRIDGE_SET ageing_time=1000000"},
        Good{"bridge show", "BRIDGE_GET"},
        Good{"sysctl -w net.ipv4.conf.all.rp_filter=1",
             "SYSCTL_SET settings=[{key=net.ipv4.conf.all.rp_filter value=1}]"},
        Good{"sysctl -w a.b=1 c.d=x=y", "SYSCTL_SET settings=[{key=a.b value=1},{key=c.d value=x=y}]"},
        Good{"sysctl net.ipv4.conf.r1.proxy_arp",
             "SYSCTL_GET settings=[{key=net.ipv4.conf.r1.proxy_arp}]"},
        Good{"sysctl -n a b", "SYSCTL_GET settings=[{key=a},{key=b}]"},
        Good{"route get 10.1.2.3", "ROUTE_GET addr=10.1.2.3"},
        Good{"neigh show proxy", "NEIGH_PROXY_GET dump"},
        Good{"save", "CONFIG_GET dump"},
        Good{"save /etc/pvland/sw.conf", "CONFIG_GET dump"}));

TEST(ParseCommand, SaveKeepsItsFileForPvlanctl) {
  auto c = ParseCommand({"save", "sw.conf"}, 1);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cmd, PVL_CMD_CONFIG_GET);
  EXPECT_EQ(c->write_to, "sw.conf");
  auto bare = ParseCommand({"save"}, 1);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->write_to, "") << "standard output";
}

INSTANTIATE_TEST_SUITE_P(
    Mirror, GoodCommand,
    ::testing::Values(
        Good{"mirror add s1 source p1 target 192.0.2.9", "MIRROR_ADD name=s1 source=p1 target=192.0.2.9"},
        Good{"mirror add s1 source p1 direction egress target 192.0.2.9 dstport 8472 vni 0 length 128 number 2",
             "MIRROR_ADD name=s1 source=p1 direction=egress target=192.0.2.9 dstport=8472 vni=0 length=128 number=2"},
        Good{"mirror add s1 vni 16777215 target 10.0.0.1 source p2 direction both",
             "MIRROR_ADD name=s1 vni=16777215 target=10.0.0.1 source=p2 direction=both"},
        Good{"mirror del s1", "MIRROR_DEL name=s1"},
        Good{"mirror show", "MIRROR_GET dump"},
        Good{"mirror show s1", "MIRROR_GET name=s1"},
        Good{"mirror rule add s1 number 10 accept", "MIRROR_RULE_ADD name=s1 number=10 action=accept"},
        Good{"mirror rule add s1 reject number 5 direction ingress protocol 6 src 10.0.0.1 dst 10.0.0.0/8 "
             "sport 80-80 dport 1024-65535",
             "MIRROR_RULE_ADD name=s1 number=5 direction=ingress protocol=tcp src=10.0.0.1/32 dst=10.0.0.0/8 "
             "sport=80 dport=1024-65535 action=reject"},
        Good{"mirror rule add s1 number 1 accept protocol all src 2001:db8::/32",
             "MIRROR_RULE_ADD name=s1 number=1 src=2001:db8::/32 action=accept"},
        Good{"mirror rule add s1 number 1 accept protocol icmpv6", "MIRROR_RULE_ADD name=s1 number=1 protocol=icmpv6 action=accept"},
        Good{"mirror rule del s1 number 5", "MIRROR_RULE_DEL name=s1 number=5"}));

TEST(ParseCommand, SysctlDashNAsksForValuesOnly) {
  auto plain = ParseCommand(Words("sysctl a"), 1);
  auto n = ParseCommand(Words("sysctl -n a"), 1);
  ASSERT_TRUE(plain.ok() && n.ok());
  EXPECT_FALSE(plain->value_only);
  EXPECT_TRUE(n->value_only);
}

TEST(ParseCommand, QuotedWordsAreOneValue) {
  auto c = ParseCommand(Words("sysctl -w 'a.b=two words'"), 1);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(DescribeRequest(c->request), "SYSCTL_SET settings=[{key=a.b value=two words}]");
}

struct Bad {
  const char* line;
  const char* error;  // a substring the message must contain
};

class BadCommand : public ::testing::TestWithParam<Bad> {};

TEST_P(BadCommand, FailsSayingWhy) {
  auto c = ParseCommand(Words(GetParam().line), 1);
  ASSERT_FALSE(c.ok()) << GetParam().line << " -> " << DescribeRequest(c->request);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Mirror, BadCommand,
    ::testing::Values(
        Bad{"mirror", "mirror: missing verb; expected one of: add, del, rule, show"},
        Bad{"mirror add", "mirror add: missing NAME"},
        Bad{"mirror add s1 target 192.0.2.9", "mirror add: missing 'source PORT'"},
        Bad{"mirror add s1 source p1", "mirror add: missing 'target IP'"},
        Bad{"mirror add s1 source p1 target 2001:db8::1", "target must be an IPv4 address, got '2001:db8::1'"},
        Bad{"mirror add s1 source p1 target 192.0.2.9 vni 16777216", "vni must be 0-16777215, got 16777216"},
        Bad{"mirror add s1 source p1 target 192.0.2.9 length 13", "length must be 14-65535, got 13"},
        Bad{"mirror add s1 source p1 target 192.0.2.9 number 0", "number must be 1-32766, got 0"},
        Bad{"mirror add s1 source p1 target 192.0.2.9 dstport 0", "dstport must be 1-65535, got 0"},
        Bad{"mirror add s1 source p1 target 192.0.2.9 direction sideways",
            "direction must be ingress, egress or both, got 'sideways'"},
        Bad{"mirror add s1 source p1 target 192.0.2.9 target 192.0.2.10", "key 'target' given twice"},
        Bad{"mirror add 'a b' source p1 target 192.0.2.9", "may only hold letters, digits"},
        Bad{"mirror add s1 source a/b target 192.0.2.9", "may not contain '/'"},
        Bad{"mirror del", "mirror del: missing NAME"},
        Bad{"mirror del s1 s2", "unexpected argument 's2'"},
        Bad{"mirror show s1 s2", "unexpected argument 's2'"},
        Bad{"mirror rule", "mirror rule: missing add or del"},
        Bad{"mirror rule s1 number 1", "unknown verb 's1'; expected add or del"},
        Bad{"mirror rule add s1 accept", "missing 'number N'"},
        Bad{"mirror rule add s1 number 1", "missing accept or reject"},
        Bad{"mirror rule add s1 number 1 accept reject", "give one of accept and reject"},
        Bad{"mirror rule add s1 number 1 accept dport 80", "sport and dport need protocol tcp or udp"},
        Bad{"mirror rule add s1 number 1 accept protocol icmp sport 1", "(the rule has protocol icmp)"},
        Bad{"mirror rule add s1 number 1 accept protocol sctp", "protocol must be tcp, udp, icmp, icmpv6, all or a number"},
        Bad{"mirror rule add s1 number 1 accept src 10.0.0.1/8", "did you mean 10.0.0.0/8?"},
        Bad{"mirror rule add s1 number 1 accept src 10.0.0.0/8 dst ::/0", "different address families"},
        Bad{"mirror rule add s1 number 1 accept protocol tcp dport 90-80", "ends below its start"},
        Bad{"mirror rule add s1 number 32767 accept", "number must be 1-32766, got 32767"},
        Bad{"mirror rule del s1", "mirror rule: missing 'number N'"}));

INSTANTIATE_TEST_SUITE_P(
    Structure, BadCommand,
    ::testing::Values(
        Bad{"", "missing OBJECT; expected one of: port, vlan, fdb, stats, bridge, sysctl, route, neigh, conntrack, monitor, capture, why, save"},
        Bad{"save a b", "save: unexpected argument 'b'"},
        Bad{"save -w", "save: expected a file name, got '-w'"},
        Bad{"prot show", "unknown object 'prot'; expected one of: port, vlan"},
        Bad{"help", "'help' prints usage and sends nothing"},
        Bad{"port", "port: missing verb; expected one of: add, del, set, show"},
        Bad{"port sh", "port: unknown verb 'sh'; expected one of: add, del, set, show"},
        Bad{"port SHOW", "unknown verb 'SHOW'"},
        Bad{"port help", "port: 'help' prints usage"},
        Bad{"vlan list", "vlan: unknown verb 'list'; expected one of: add, del, show"},
        Bad{"fdb", "fdb: missing verb"},
        Bad{"bridge get", "bridge: unknown verb 'get'"},
        Bad{"route show", "route: unknown verb 'show'; expected one of: get"}));

INSTANTIATE_TEST_SUITE_P(
    Port, BadCommand,
    ::testing::Values(
        Bad{"port add", "port add: missing port NAME"},
        Bad{"port add p1 vlan 10", "port add: expected 'type tap|internal|netdev|vxlan' after p1, got 'vlan'"},
        Bad{"port add p1 type", "port add: missing port type"},
        Bad{"port add p1 type veth", "unknown port type 'veth'; expected one of: tap, internal, netdev, vxlan"},
        Bad{"port add p1 type tap vlan", "port add: key 'vlan' needs a value"},
        Bad{"port add vx0 type vxlan remote 10.0.0.2", "port add: type vxlan needs vni N (0-16777215)"},
        Bad{"port add vx0 type vxlan vni 5", "port add: type vxlan needs remote IP (once per remote endpoint)"},
        Bad{"port add vx0 type vxlan vni 16777216 remote 10.0.0.2", "port add: vni must be 0-16777215, got 16777216"},
        Bad{"port add vx0 type vxlan vni 5 vni 6 remote 10.0.0.2", "port add: key 'vni' given twice"},
        Bad{"port add vx0 type vxlan vni 5 remote 10.0.0", "port add: remote must be an IPv4 address, got '10.0.0'"},
        Bad{"port add vx0 type vxlan vni 5 remote 10.0.0.2 local x", "port add: local must be an IPv4 address, got 'x'"},
        Bad{"port add vx0 type vxlan vni 5 remote 10.0.0.2 dstport 0", "port add: dstport must be 1-65535, got 0"},
        Bad{"port add t0 type tap vni 5", "port add: unknown key 'vni'"},
        Bad{"port set vx0 remote 10.0.0.9", "port set: unknown key 'remote'"},
        Bad{"port add p1 type tap colour red", "port add: unknown key 'colour'"},
        Bad{"port add abcdefghijklmnop", "interface name 'abcdefghijklmnop' is longer than 15"},
        Bad{"port add a/b", "may not contain '/'"},
        Bad{"port add ..", "'..' is not a valid interface name"},
        Bad{"port add ''", "interface name is empty"},
        Bad{"port del", "port del: missing port NAME"},
        Bad{"port del p1 p2", "port del: unexpected argument 'p2'"},
        Bad{"port set p1", "port set: nothing to set; expected KEY VALUE, KEY one of: vlan, mode"},
        Bad{"port set p1 isolatd on",
            "port set: unknown key 'isolatd'; expected one of: vlan, mode, allowed, native, "
            "isolated, learning, flood, mcast_flood, bcast_flood, hairpin, source_guard"},
        Bad{"port set p1 source_guard on", "source_guard must be off, strict or loose, got 'on'"},
        Bad{"port set p1 forged_transmits drop", "forged_transmits must be accept or reject, got 'drop'"},
        Bad{"port set p1 mac_limit 4097", "mac_limit must be 0-4096, got 4097"},
        Bad{"port set p1 mac_limit_policy reject", "mac_limit_policy must be allow or drop, got 'reject'"},
        Bad{"port set p1 mac_aging 0", "mac_aging must be 1-31536000, got 0"},
        Bad{"port set p1 initial_mac 01:00:5e:00:00:01", "initial_mac must be a unicast MAC or auto, got '01:00:5e:00:00:01'"},
        Bad{"port set p1 vlan", "port set: key 'vlan' needs a value"},
        Bad{"port set p1 vlan 10 isolated", "key 'isolated' needs a value"},
        Bad{"port set p1 vlan 5000", "port set: vlan must be 1-4094, got 5000"},
        Bad{"port set p1 vlan 0", "vlan must be 1-4094, got 0"},
        Bad{"port set p1 vlan 4095", "vlan must be 1-4094, got 4095"},
        Bad{"port set p1 vlan ten", "vlan must be a number 1-4094, got 'ten'"},
        Bad{"port set p1 vlan -1", "vlan must be a number 1-4094, got '-1'"},
        Bad{"port set p1 vlan 99999999999999999999999", "vlan must be 1-4094, got 9999"},
        Bad{"port set p1 vlan 10 vlan 20", "port set: key 'vlan' given twice"},
        Bad{"port set p1 isolated yes", "isolated must be on or off, got 'yes'"},
        Bad{"port set p1 hairpin ON", "hairpin must be on or off, got 'ON'"},
        Bad{"port set p1 mode hybrid", "mode must be access or trunk, got 'hybrid'"},
        Bad{"port set p1 native 0", "native must be 1-4094 or none, got '0'"},
        Bad{"port set p1 allowed 30-20", "allowed range 30-20 is reversed; write 20-30"},
        Bad{"port set p1 allowed 1,,2", "allowed list '1,,2' has an empty element"},
        Bad{"port set p1 allowed 10,", "has an empty element"},
        Bad{"port set p1 allowed 1-5000", "allowed VLAN must be 1-4094, got 5000"},
        Bad{"port set p1 allowed 0-10", "allowed VLAN must be 1-4094, got 0"},
        Bad{"port set p1 allowed 1-2-3", "allowed VLAN must be a number 1-4094, got '2-3'"},
        Bad{"port set p1 allowed ''", "allowed list is empty; use 'none'"},
        Bad{"port set p1 allowed All", "allowed VLAN must be a number"},
        Bad{"port show p1 extra", "port show: unexpected argument 'extra'"}));

INSTANTIATE_TEST_SUITE_P(
    Vlan, BadCommand,
    ::testing::Values(
        Bad{"vlan add", "vlan add: missing VID"},
        Bad{"vlan add 0", "vlan add: vlan must be 1-4094, got 0"},
        Bad{"vlan add 10 primary", "vlan add: expected 'pvlan' after 10, got 'primary'"},
        Bad{"vlan add 10 pvlan", "vlan add: missing pvlan type"},
        Bad{"vlan add 10 pvlan secondary", "unknown pvlan type 'secondary'; expected one of: primary"},
        Bad{"vlan add 10 pvlan isolated", "missing 'primary P' after pvlan isolated"},
        Bad{"vlan add 10 pvlan community 5", "expected 'primary P' after pvlan community, got '5'"},
        Bad{"vlan add 10 pvlan isolated primary", "missing primary VLAN after 'primary'"},
        Bad{"vlan add 10 pvlan isolated primary 4095", "primary must be 1-4094, got 4095"},
        Bad{"vlan add 10 pvlan isolated primary 10", "vlan 10 cannot be its own primary"},
        Bad{"vlan add 10 pvlan primary 5", "vlan add: unexpected argument '5'"},
        Bad{"vlan add 10 pvlan isolated primary 5 x", "unexpected argument 'x'"},
        Bad{"vlan del 10 11", "vlan del: unexpected argument '11'"},
        Bad{"vlan show x", "vlan show: vlan must be a number 1-4094, got 'x'"}));

INSTANTIATE_TEST_SUITE_P(
    Fdb, BadCommand,
    ::testing::Values(
        Bad{"fdb add", "fdb add: missing MAC"},
        Bad{"fdb add 02:00:00:00:00:01", "fdb add: missing 'port P'"},
        Bad{"fdb add 02:00:00:00:00:01 port", "key 'port' needs a value"},
        Bad{"fdb add 02:00:00:00:00:01 port p1 port p2", "key 'port' given twice"},
        Bad{"fdb add 02:00:00:00:00:1g port p1", "'02:00:00:00:00:1g' is not a MAC address"},
        Bad{"fdb add 02:00:00:00:01 port p1", "'02:00:00:00:01' is not a MAC address"},
        Bad{"fdb add 02:00:00:00:00:01:02 port p1", "is not a MAC address"},
        Bad{"fdb add 02-00-00-00-00-01 port p1", "is not a MAC address"},
        Bad{"fdb add 002:00:00:00:00:01 port p1", "is not a MAC address"},
        Bad{"fdb add 02::00:00:00:01 port p1", "is not a MAC address"},
        Bad{"fdb add 01:00:5e:00:00:01 port p1",
            "fdb add: 01:00:5e:00:00:01 is a group (multicast/broadcast) address"},
        Bad{"fdb add ff:ff:ff:ff:ff:ff port p1", "ff:ff:ff:ff:ff:ff is a group"},
        Bad{"fdb add 33:33:00:00:00:01 port p1", "is a group"},
        Bad{"fdb add 00:00:00:00:00:00 port p1", "00:00:00:00:00:00 is not a station address"},
        Bad{"fdb add 02:00:00:00:00:01 port p1 vlan 4095", "fdb add: vlan must be 1-4094, got 4095"},
        Bad{"fdb add 02:00:00:00:00:01 port p1 dynamic", "fdb add: unknown key 'dynamic'; expected one of: port, vlan"},
        Bad{"fdb del 02:00:00:00:00:01 port p1", "fdb del: unknown key 'port'; expected one of: vlan"},
        Bad{"fdb del 01:80:c2:00:00:00", "is a group"},
        Bad{"fdb show port", "fdb show: key 'port' needs a value"},
        Bad{"fdb show vlan 1 vlan 2", "key 'vlan' given twice"},
        Bad{"fdb flush static", "fdb flush: unknown key 'static'; expected one of: port, vlan, dynamic"},
        Bad{"fdb flush dynamic dynamic", "key 'dynamic' given twice"}));

INSTANTIATE_TEST_SUITE_P(
    Other, BadCommand,
    ::testing::Values(
        Bad{"stats show p1 p2", "stats show: unexpected argument 'p2'"},
        Bad{"stats clear a/b", "stats clear: interface name 'a/b' may not contain"},
        Bad{"bridge set", "bridge set: nothing to set; expected ageing_time SECONDS or psf_max_total N"},
        Bad{"bridge set ageing_time", "key 'ageing_time' needs a value"},
        Bad{"bridge set ageing_time 1000001", "ageing_time must be 0-1000000, got 1000001"},
        Bad{"bridge set ageing_time 1.5", "ageing_time must be a number 0-1000000, got '1.5'"},
        Bad{"bridge set ageing_time +5", "must be a number"},
        Bad{"bridge set max_age 5", "bridge set: unknown key 'max_age'; expected one of: ageing_time"},
        Bad{"bridge show all", "bridge show: unexpected argument 'all'"},
        Bad{"sysctl", "sysctl: missing KEY"},
        Bad{"sysctl -w", "sysctl: missing KEY=VALUE"},
        Bad{"sysctl -n", "sysctl: missing KEY"},
        Bad{"sysctl -a", "sysctl: unknown option '-a'; expected -w or -n"},
        Bad{"sysctl -n -w a=1", "-n applies to reads, not to -w"},
        Bad{"sysctl -w a", "sysctl: expected KEY=VALUE, got 'a'"},
        Bad{"sysctl -w a=", "sysctl: 'a=' has no value"},
        Bad{"sysctl -w =1", "sysctl: empty key"},
        Bad{"sysctl -w a=1 a=2", "sysctl: key 'a' given twice"},
        Bad{"sysctl a a", "key 'a' given twice"},
        Bad{"sysctl a=1", "'a=1' is a setting; write it with sysctl -w"},
        Bad{"sysctl 'a b'", "key 'a b' contains a blank"},
        Bad{"route get", "route get: missing ADDR"},
        Bad{"route get 10.1", "route get: '10.1' is not an IPv4 address"},
        Bad{"route get 10.0.0.256", "'10.0.0.256' is not an IPv4 address"},
        Bad{"route get 10.0.0.0/8", "is not an IPv4 address"},
        Bad{"route get 10.0.0.1 dev r1", "route get: unexpected argument 'dev'"},
        Bad{"neigh show", "neigh show: missing proxy"},
        Bad{"neigh show all", "neigh show: unknown word 'all'; expected proxy"},
        Bad{"neigh show proxy dev gw0", "neigh show: unexpected argument 'dev'"},
        Bad{"neigh add proxy 10.0.0.1", "neigh: unknown verb 'add'; expected one of: show"}));

TEST(ParseCommand, OversizedRequestFailsInsteadOfTruncating) {
  std::vector<std::string> words = {"sysctl", "-w"};
  for (int i = 0; i < 3000; ++i)
    words.push_back("net.ipv4.conf.port" + std::to_string(i) + ".proxy_arp=1");
  auto c = ParseCommand(words, 1);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("request longer than 65536 bytes"));
}

}  // namespace
}  // namespace pvland::ctl
