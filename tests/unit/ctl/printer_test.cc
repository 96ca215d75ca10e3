// Golden output of PrintReply: replies are built with MessageBuilder exactly as the
// daemon would send them, and text and JSON are compared byte for byte.
#include "ctl/cli/printer.h"

#include <cerrno>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/unit/ctl/decode.h"

namespace pvland::ctl {
namespace {

using testing::Record;

Command Cmd(uint8_t cmd, bool value_only = false) {
  Command c;
  c.cmd = cmd;
  c.value_only = value_only;
  return c;
}

std::string Print(const Command& c, const Reply& r, OutputFormat f) {
  std::ostringstream out;
  PrintReply(c, r, f, out);
  return out.str();
}

void PutMac(MessageBuilder& b, uint8_t last) {
  const uint8_t mac[6] = {0x02, 0, 0, 0, 0, last};
  b.PutMac(PVL_A_MAC, mac);
}

Reply PortReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_PORT_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "p1");
    b.PutString(PVL_A_PORT_TYPE, "netdev");
    b.PutU32(PVL_A_IFINDEX, 5);
    b.PutString(PVL_A_STATE, "up");
    PutMac(b, 1);
    b.PutString(PVL_A_MODE, "access");
    b.PutU16(PVL_A_VLAN, 1);
    b.PutString(PVL_A_ALLOWED, "all");
    b.PutU16(PVL_A_NATIVE, 0);
    b.PutBool(PVL_A_ISOLATED, true);
    b.PutBool(PVL_A_LEARNING, true);
    b.PutBool(PVL_A_FLOOD, true);
    b.PutBool(PVL_A_MCAST_FLOOD, true);
    b.PutBool(PVL_A_BCAST_FLOOD, false);
    b.PutBool(PVL_A_HAIRPIN, false);
    b.PutString(PVL_A_PVLAN_ROLE, "none");
  }));
  r.records.push_back(Record(PVL_CMD_PORT_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "t1");
    b.PutString(PVL_A_PORT_TYPE, "tap");
    b.PutString(PVL_A_STATE, "absent");
    b.PutString(PVL_A_MODE, "trunk");
    b.PutString(PVL_A_ALLOWED, "10-20,30");
    b.PutU16(PVL_A_NATIVE, 10);
  }));
  return r;
}

TEST(PrintPort, Text) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), PortReply(), OutputFormat::kText),
            "p1 type netdev ifindex 5 state up mac 02:00:00:00:00:01 mode access vlan 1 allowed all "
            "native none isolated on learning on flood on mcast_flood on bcast_flood off hairpin off "
            "pvlan none\n"
            "t1 type tap state absent mode trunk allowed 10-20,30 native 10\n");
}

TEST(PrintPort, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), PortReply(), OutputFormat::kJson),
            R"([{"name":"p1","type":"netdev","ifindex":5,"state":"up","mac":"02:00:00:00:00:01",)"
            R"("mode":"access","vlan":1,"allowed":"all","native":0,"isolated":true,"learning":true,)"
            R"("flood":true,"mcast_flood":true,"bcast_flood":false,"hairpin":false,"pvlan":"none"},)"
            R"({"name":"t1","type":"tap","state":"absent","mode":"trunk","allowed":"10-20,30",)"
            R"("native":10}])"
            "\n");
}

Reply VlanReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_VLAN_GET, [](MessageBuilder& b) {
    b.PutU16(PVL_A_VLAN, 100);
    b.PutString(PVL_A_PVLAN_TYPE, "primary");
    nlattr* ports = b.NestStart(PVL_A_PORTS);
    nlattr* item = b.NestStart(PVL_A_ITEM);
    b.PutString(PVL_A_NAME, "r1");
    b.PutString(PVL_A_MODE, "untagged");
    b.NestEnd(item);
    item = b.NestStart(PVL_A_ITEM);
    b.PutString(PVL_A_NAME, "up1");
    b.PutString(PVL_A_MODE, "tagged");
    b.NestEnd(item);
    b.NestEnd(ports);
  }));
  r.records.push_back(Record(PVL_CMD_VLAN_GET, [](MessageBuilder& b) {
    b.PutU16(PVL_A_VLAN, 101);
    b.PutString(PVL_A_PVLAN_TYPE, "isolated");
    b.PutU16(PVL_A_PRIMARY, 100);
    b.NestEnd(b.NestStart(PVL_A_PORTS));
  }));
  return r;
}

TEST(PrintVlan, Text) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_VLAN_GET), VlanReply(), OutputFormat::kText),
            "vlan 100 pvlan primary\n"
            "    r1 untagged\n"
            "    up1 tagged\n"
            "vlan 101 pvlan isolated primary 100\n");
}

TEST(PrintVlan, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_VLAN_GET), VlanReply(), OutputFormat::kJson),
            R"([{"vlan":100,"pvlan_type":"primary","ports":[{"name":"r1","mode":"untagged"},)"
            R"({"name":"up1","mode":"tagged"}]},)"
            R"({"vlan":101,"pvlan_type":"isolated","primary":100,"ports":[]}])"
            "\n");
}

TEST(PrintVlan, PrettyJson) {
  Reply r;
  r.records.push_back(VlanReply().records.back());
  EXPECT_EQ(Print(Cmd(PVL_CMD_VLAN_GET), r, OutputFormat::kJsonPretty),
            "[\n"
            "    {\n"
            "        \"vlan\": 101,\n"
            "        \"pvlan_type\": \"isolated\",\n"
            "        \"primary\": 100,\n"
            "        \"ports\": []\n"
            "    }\n"
            "]\n");
}

Reply FdbReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_FDB_GET, [](MessageBuilder& b) {
    PutMac(b, 1);
    b.PutU16(PVL_A_VLAN, 1);
    b.PutString(PVL_A_PORT, "p1");
    b.PutString(PVL_A_FDB_KIND, "dynamic");
    b.PutU64(PVL_A_AGE_MS, 12345);
  }));
  r.records.push_back(Record(PVL_CMD_FDB_GET, [](MessageBuilder& b) {
    PutMac(b, 2);
    b.PutU16(PVL_A_VLAN, 20);
    b.PutString(PVL_A_PORT, "p2");
    b.PutString(PVL_A_FDB_KIND, "static");
    b.PutU64(PVL_A_AGE_MS, 0);
  }));
  r.records.push_back(Record(PVL_CMD_FDB_GET, [](MessageBuilder& b) {
    PutMac(b, 3);
    b.PutU16(PVL_A_VLAN, 1);
    b.PutString(PVL_A_PORT, "p3");
    b.PutString(PVL_A_FDB_KIND, "dynamic");
    b.PutU64(PVL_A_AGE_MS, 999);
  }));
  return r;
}

TEST(PrintFdb, Text) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_GET), FdbReply(), OutputFormat::kText),
            "02:00:00:00:00:01 vlan 1 port p1 dynamic age 12.3s\n"
            "02:00:00:00:00:02 vlan 20 port p2 static\n"
            "02:00:00:00:00:03 vlan 1 port p3 dynamic age 0.9s\n");
}

TEST(PrintFdb, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_GET), FdbReply(), OutputFormat::kJson),
            R"([{"mac":"02:00:00:00:00:01","vlan":1,"port":"p1","kind":"dynamic","age_ms":12345},)"
            R"({"mac":"02:00:00:00:00:02","vlan":20,"port":"p2","kind":"static","age_ms":0},)"
            R"({"mac":"02:00:00:00:00:03","vlan":1,"port":"p3","kind":"dynamic","age_ms":999}])"
            "\n");
}

Reply StatsReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_STATS_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "p1");
    b.PutU64(PVL_A_RX_PACKETS, 10);
    b.PutU64(PVL_A_RX_BYTES, 1200);
    b.PutU64(PVL_A_TX_PACKETS, 5);
    b.PutU64(PVL_A_TX_BYTES, 600);
    nlattr* drops = b.NestStart(PVL_A_DROPS);
    for (auto [reason, count] : {std::pair{"isolated", 3}, std::pair{"vlan_not_member", 1}}) {
      nlattr* item = b.NestStart(PVL_A_ITEM);
      b.PutString(PVL_A_REASON, reason);
      b.PutU64(PVL_A_COUNT, count);
      b.NestEnd(item);
    }
    b.NestEnd(drops);
  }));
  r.records.push_back(Record(PVL_CMD_STATS_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "p2");
    b.PutU64(PVL_A_RX_PACKETS, 0);
    b.PutU64(PVL_A_RX_BYTES, 0);
    b.PutU64(PVL_A_TX_PACKETS, 18446744073709551615ull);
    b.PutU64(PVL_A_TX_BYTES, 0);
  }));
  return r;
}

TEST(PrintStats, Text) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_STATS_GET), StatsReply(), OutputFormat::kText),
            "p1\n"
            "    rx packets 10 bytes 1200\n"
            "    tx packets 5 bytes 600\n"
            "    drop isolated 3\n"
            "    drop vlan_not_member 1\n"
            "p2\n"
            "    rx packets 0 bytes 0\n"
            "    tx packets 18446744073709551615 bytes 0\n");
}

TEST(PrintStats, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_STATS_GET), StatsReply(), OutputFormat::kJson),
            R"([{"name":"p1","rx_packets":10,"rx_bytes":1200,"tx_packets":5,"tx_bytes":600,)"
            R"("drops":[{"reason":"isolated","count":3},{"reason":"vlan_not_member","count":1}]},)"
            R"({"name":"p2","rx_packets":0,"rx_bytes":0,"tx_packets":18446744073709551615,)"
            R"("tx_bytes":0}])"
            "\n");
}

Reply SysctlReply() {
  Reply r;
  for (auto [k, v] : {std::pair{"net.ipv4.conf.all.rp_filter", "1"},
                      std::pair{"net.ipv4.neigh.r1.proxy_delay", "80"}}) {
    r.records.push_back(Record(PVL_CMD_SYSCTL_GET, [k = k, v = v](MessageBuilder& b) {
      b.PutString(PVL_A_KEY, k);
      b.PutString(PVL_A_VALUE, v);
    }));
  }
  return r;
}

TEST(PrintStats, ArpVerdictsOfAnInternalPort) {
  Reply r;
  r.records.push_back(Record(PVL_CMD_STATS_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "gw0");
    b.PutU64(PVL_A_RX_PACKETS, 1);
    b.PutU64(PVL_A_RX_BYTES, 60);
    b.PutU64(PVL_A_TX_PACKETS, 2);
    b.PutU64(PVL_A_TX_BYTES, 84);
    nlattr* arp = b.NestStart(PVL_A_ARP);
    nlattr* item = b.NestStart(PVL_A_ITEM);
    b.PutString(PVL_A_REASON, "proxy_reply");
    b.PutU64(PVL_A_COUNT, 2);
    b.NestEnd(item);
    b.NestEnd(arp);
  }));
  EXPECT_EQ(Print(Cmd(PVL_CMD_STATS_GET), r, OutputFormat::kText),
            "gw0\n"
            "    rx packets 1 bytes 60\n"
            "    tx packets 2 bytes 84\n"
            "    arp proxy_reply 2\n");
  EXPECT_EQ(Print(Cmd(PVL_CMD_STATS_GET), r, OutputFormat::kJson),
            R"([{"name":"gw0","rx_packets":1,"rx_bytes":60,"tx_packets":2,"tx_bytes":84,)"
            R"("arp":[{"reason":"proxy_reply","count":2}]}])"
            "\n");
}

TEST(PrintSysctl, TextLikeSysctl8) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_SYSCTL_GET), SysctlReply(), OutputFormat::kText),
            "net.ipv4.conf.all.rp_filter = 1\n"
            "net.ipv4.neigh.r1.proxy_delay = 80\n");
}

TEST(PrintSysctl, ValueOnly) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_SYSCTL_GET, true), SysctlReply(), OutputFormat::kText), "1\n80\n");
}

TEST(PrintSysctl, JsonIgnoresValueOnly) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_SYSCTL_GET, true), SysctlReply(), OutputFormat::kJson),
            R"([{"key":"net.ipv4.conf.all.rp_filter","value":"1"},)"
            R"({"key":"net.ipv4.neigh.r1.proxy_delay","value":"80"}])"
            "\n");
}

Reply RouteReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_ROUTE_GET, [](MessageBuilder& b) {
    b.PutIpv4(PVL_A_ADDR, 0x0a010203);
    b.PutString(PVL_A_ROUTE_TYPE, "unicast");
    b.PutString(PVL_A_DEV, "r1");
    b.PutIpv4(PVL_A_GATEWAY, 0x0a000001);
    b.PutU32(PVL_A_TABLE, 254);
    b.PutString(PVL_A_PREFIX, "10.1.0.0/16");
    b.PutU32(PVL_A_METRIC, 0);
  }));
  return r;
}

TEST(PrintRoute, TextLikeIpRouteGet) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_ROUTE_GET), RouteReply(), OutputFormat::kText),
            "10.1.2.3 via 10.0.0.1 dev r1 table main type unicast prefix 10.1.0.0/16 metric 0\n");
}

TEST(PrintRoute, LocalWithSourceAndUnreachable) {
  Reply r;
  r.records.push_back(Record(PVL_CMD_ROUTE_GET, [](MessageBuilder& b) {
    b.PutIpv4(PVL_A_ADDR, 0x0a000002);
    b.PutString(PVL_A_ROUTE_TYPE, "local");
    b.PutString(PVL_A_DEV, "r1");
    b.PutIpv4(PVL_A_PREFSRC, 0x0a000002);
    b.PutU32(PVL_A_TABLE, 255);
    b.PutString(PVL_A_PREFIX, "10.0.0.2/32");
    b.PutU32(PVL_A_METRIC, 0);
  }));
  r.records.push_back(Record(PVL_CMD_ROUTE_GET, [](MessageBuilder& b) {
    b.PutIpv4(PVL_A_ADDR, 0xc0a80101);
    b.PutString(PVL_A_ROUTE_TYPE, "unreachable");
    b.PutU32(PVL_A_TABLE, 100);
    b.PutString(PVL_A_PREFIX, "192.168.0.0/16");
    b.PutU32(PVL_A_METRIC, 20);
  }));
  EXPECT_EQ(Print(Cmd(PVL_CMD_ROUTE_GET), r, OutputFormat::kText),
            "10.0.0.2 dev r1 src 10.0.0.2 table local type local prefix 10.0.0.2/32 metric 0\n"
            "192.168.1.1 table 100 type unreachable prefix 192.168.0.0/16 metric 20\n");
}

Reply ProxyReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_NEIGH_PROXY_GET, [](MessageBuilder& b) {
    b.PutIpv4(PVL_A_ADDR, 0x0a000232);
    b.PutString(PVL_A_DEV, "gw0");
  }));
  r.records.push_back(Record(PVL_CMD_NEIGH_PROXY_GET, [](MessageBuilder& b) { b.PutIpv4(PVL_A_ADDR, 0x08080808); }));
  return r;
}

TEST(PrintNeighProxy, TextLikeIpNeighShowProxy) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_NEIGH_PROXY_GET), ProxyReply(), OutputFormat::kText),
            "10.0.2.50 dev gw0 proxy\n"
            "8.8.8.8 proxy\n");
}

TEST(PrintNeighProxy, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_NEIGH_PROXY_GET), ProxyReply(), OutputFormat::kJson),
            R"([{"addr":"10.0.2.50","dev":"gw0"},{"addr":"8.8.8.8"}])"
            "\n");
}

TEST(PrintRoute, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_ROUTE_GET), RouteReply(), OutputFormat::kJson),
            R"([{"addr":"10.1.2.3","route_type":"unicast","dev":"r1","gateway":"10.0.0.1",)"
            R"("table":254,"prefix":"10.1.0.0/16","metric":0}])"
            "\n");
}

Reply MirrorReply() {
  Reply r;
  r.records.push_back(Record(PVL_CMD_MIRROR_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "web");
    b.PutString(PVL_A_SOURCE, "p1");
    b.PutString(PVL_A_MIRROR_DIR, "both");
    b.PutIpv4(PVL_A_TARGET, 0xc0000209);
    b.PutU16(PVL_A_DSTPORT, 4789);
    b.PutU32(PVL_A_VNI, 4242);
    b.PutU32(PVL_A_PACKET_LENGTH, 100);
    b.PutU16(PVL_A_NUMBER, 1);
    b.PutU64(PVL_A_TX_PACKETS, 4);
    b.PutU64(PVL_A_TX_BYTES, 392);
    b.PutU64(PVL_A_LOST, 1);
    b.PutU64(PVL_A_TRUNCATED, 2);
    b.PutU64(PVL_A_SEG_ERRORS, 0);
    b.PutString(PVL_A_TARGET_ERROR, "ENETUNREACH");
    nlattr* list = b.NestStart(PVL_A_RULES);
    nlattr* item = b.NestStart(PVL_A_ITEM);
    b.PutU16(PVL_A_NUMBER, 10);
    b.PutString(PVL_A_ACTION, "accept");
    b.PutString(PVL_A_MIRROR_DIR, "egress");
    b.PutString(PVL_A_PROTOCOL, "tcp");
    b.PutString(PVL_A_SRC, "10.0.0.0/24");
    b.PutString(PVL_A_DPORT, "80");
    b.PutU64(PVL_A_HITS, 3);
    b.NestEnd(item);
    b.NestEnd(list);
  }));
  r.records.push_back(Record(PVL_CMD_MIRROR_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "idle");
    b.PutString(PVL_A_SOURCE, "p2");
    b.PutString(PVL_A_MIRROR_DIR, "ingress");
    b.PutIpv4(PVL_A_TARGET, 0xc000020a);
    b.PutU16(PVL_A_DSTPORT, 4789);
    b.PutU32(PVL_A_VNI, 0);
    b.PutU16(PVL_A_NUMBER, 2);
    b.PutU64(PVL_A_TX_PACKETS, 0);
    b.NestEnd(b.NestStart(PVL_A_RULES));
  }));
  return r;
}

TEST(PrintMirror, TextInTheGrammarsWords) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_MIRROR_GET), MirrorReply(), OutputFormat::kText),
            "web source p1 direction both target 192.0.2.9 dstport 4789 vni 4242 number 1 length 100\n"
            "    tx_packets 4 tx_bytes 392 lost 1 truncated 2 segmentation_errors 0 target_error ENETUNREACH\n"
            "    rule 10 accept direction egress protocol tcp src 10.0.0.0/24 dport 80 hits 3\n"
            "idle source p2 direction ingress target 192.0.2.10 dstport 4789 vni 0 number 2\n"
            "    tx_packets 0\n"
            "    no rules: mirrors nothing\n");
}

TEST(PrintMirror, Json) {
  EXPECT_EQ(Print(Cmd(PVL_CMD_MIRROR_GET), MirrorReply(), OutputFormat::kJson),
            R"([{"name":"web","source":"p1","direction":"both","target":"192.0.2.9","dstport":4789,"vni":4242,)"
            R"("length":100,"number":1,"tx_packets":4,"tx_bytes":392,"lost":1,"truncated":2,"segmentation_errors":0,)"
            R"("target_error":"ENETUNREACH",)"
            R"("rules":[{"number":10,"action":"accept","direction":"egress","protocol":"tcp","src":"10.0.0.0/24",)"
            R"("dport":"80","hits":3}]},)"
            R"({"name":"idle","source":"p2","direction":"ingress","target":"192.0.2.10","dstport":4789,"vni":0,)"
            R"("number":2,"tx_packets":0,"rules":[]}])"
            "\n");
}

TEST(PrintBridge, GenericKeyValue) {
  Reply r;
  r.records.push_back(
      Record(PVL_CMD_BRIDGE_GET, [](MessageBuilder& b) { b.PutU32(PVL_A_AGEING_TIME, 300); }));
  EXPECT_EQ(Print(Cmd(PVL_CMD_BRIDGE_GET), r, OutputFormat::kText), "ageing_time 300\n");
  EXPECT_EQ(Print(Cmd(PVL_CMD_BRIDGE_GET), r, OutputFormat::kJson), "[{\"ageing_time\":300}]\n");
}

TEST(PrintReply, AttributesAFormatterDoesNotKnowAreStillShown) {
  // An FDB record with extra attributes: the text appends them as "key value".
  Reply r;
  r.records.push_back(Record(PVL_CMD_FDB_GET, [](MessageBuilder& b) {
    PutMac(b, 1);
    b.PutU16(PVL_A_VLAN, 1);
    b.PutString(PVL_A_PORT, "p1");
    b.PutString(PVL_A_FDB_KIND, "dynamic");
    b.PutU64(PVL_A_AGE_MS, 1000);
    b.PutU32(PVL_A_IFINDEX, 7);
    b.PutU16(PVL_A_MAX + 5, 1);  // an attribute from a newer daemon: skipped, not an error
  }));
  EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_GET), r, OutputFormat::kText),
            "02:00:00:00:00:01 vlan 1 port p1 dynamic age 1.0s ifindex 7\n");
  EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_GET), r, OutputFormat::kJson),
            R"([{"mac":"02:00:00:00:00:01","vlan":1,"port":"p1","kind":"dynamic","age_ms":1000,)"
            R"("ifindex":7}])"
            "\n");
}

TEST(PrintReply, RecordsOfOtherCommandsPrintGenerically) {
  Reply r;
  r.records.push_back(Record(PVL_CMD_PORT_ADD, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "t1");
    b.PutIpv4(PVL_A_GATEWAY, 0x01020304);
    nlattr* s = b.NestStart(PVL_A_SETTINGS);
    nlattr* i = b.NestStart(PVL_A_ITEM);
    b.PutString(PVL_A_KEY, "k");
    b.NestEnd(i);
    b.NestEnd(s);
  }));
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_ADD), r, OutputFormat::kText),
            "name t1 gateway 1.2.3.4 settings { key k }\n");
}

TEST(PrintReply, SuccessWithoutRecordsPrintsNothing) {
  Reply ok;
  for (auto f : {OutputFormat::kText, OutputFormat::kJson, OutputFormat::kJsonPretty}) {
    EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_SET), ok, f), "");
    EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_FLUSH), ok, f), "");
  }
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), ok, OutputFormat::kText), "");
}

TEST(PrintReply, EmptyShowIsAnEmptyJsonArray) {
  Reply empty;
  EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_GET), empty, OutputFormat::kJson), "[]\n");
  EXPECT_EQ(Print(Cmd(PVL_CMD_FDB_GET), empty, OutputFormat::kJsonPretty), "[]\n");
}

TEST(PrintReply, FailedShowPrintsNoJson) {
  Reply failed;
  failed.error = -ENOENT;
  failed.error_msg = "no port 'p9'";
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), failed, OutputFormat::kJson), "");
}

TEST(PrintReply, UndecodableRecordIsShownNotDropped) {
  Reply r;
  Message bad;
  bad.type = PVL_MSG_CTL;
  bad.cmd = PVL_CMD_PORT_GET;
  bad.payload = {200, 0, PVL_A_NAME, 0, 'x', 0, 0, 0};  // nla_len 200 > 8 bytes present
  r.records.push_back(bad);
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), r, OutputFormat::kText),
            "(undecodable record: attribute length out of bounds)\n");
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), r, OutputFormat::kJson),
            "[{\"error\":\"attribute length out of bounds\"}]\n");
}

TEST(PrintReply, NonUtf8NamesDoNotBreakJson) {
  Reply r;
  r.records.push_back(Record(PVL_CMD_PORT_GET, [](MessageBuilder& b) {
    b.PutString(PVL_A_NAME, "p\xff");
  }));
  EXPECT_EQ(Print(Cmd(PVL_CMD_PORT_GET), r, OutputFormat::kJson), "[{\"name\":\"p\xef\xbf\xbd\"}]\n");
}

TEST(ReplyError, DaemonMessageElseStrerror) {
  Reply r;
  r.error = -ENOENT;
  EXPECT_EQ(ReplyError(r), "No such file or directory");
  r.error_msg = "no port 'p9'";
  EXPECT_EQ(ReplyError(r), "no port 'p9'");
}

}  // namespace
}  // namespace pvland::ctl
