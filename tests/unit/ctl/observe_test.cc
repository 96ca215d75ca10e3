// pvlanctl's drop observability: the monitor/capture/why grammar, the capture filter
// compiled by libpcap, the one-line frame summary, the event lines, and the pcapng
// writer read back with libpcap.
#include <pcap/pcap.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ctl/cli/frame_summary.h"
#include "ctl/cli/grammar.h"
#include "ctl/cli/pcapng.h"
#include "ctl/cli/stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/ctl/decode.h"

namespace pvland::ctl {
namespace {

using ::testing::HasSubstr;
using testing::DescribeRequest;

absl::StatusOr<Command> Parse(const std::string& line) {
  auto w = SplitLine(line);
  EXPECT_TRUE(w.ok());
  return ParseCommand(*w, 3);
}

std::string Describe(const std::string& line) {
  auto c = Parse(line);
  if (!c.ok()) return "ERROR " + std::string(c.status().message());
  uint32_t seq;
  return DescribeRequest(c->request, &seq);
}

TEST(ObserveGrammar, BuildsTheRequests) {
  EXPECT_EQ(Describe("monitor drops"), "MONITOR stream=drops");
  EXPECT_EQ(Describe("monitor drops p1"), "MONITOR stream=drops name=p1");
  EXPECT_EQ(Describe("monitor show"), "MONITOR_GET dump");
  EXPECT_EQ(Describe("capture drops -w /tmp/x.pcapng"), "MONITOR stream=drops snaplen=65000");
  EXPECT_EQ(Describe("why"), "WHY_GET dump");
  EXPECT_EQ(Describe("why p1 -n 5"), "WHY_GET dump name=p1 limit=5");
  EXPECT_EQ(Describe("why -n 256 p2"), "WHY_GET dump limit=256 name=p2");
}

TEST(ObserveGrammar, StreamsSayWhereTheyGo) {
  auto m = Parse("monitor drops");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->stream, StreamKind::kMonitor);
  auto c = Parse("capture drops -w out.pcapng");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->stream, StreamKind::kCapture);
  EXPECT_EQ(c->write_to, "out.pcapng");
  auto w = Parse("why");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->stream, StreamKind::kNone);
}

TEST(ObserveGrammar, TheFilterTravelsAsABpfProgram) {
  auto c = Parse("capture p1 -w - udp port 9999");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(DescribeRequest(c->request, nullptr), ::testing::MatchesRegex("MONITOR stream=port name=p1 filter=[0-9]+B snaplen=65000"));
}

TEST(ObserveGrammar, RefusesWithAReason) {
  EXPECT_THAT(Describe("monitor"), HasSubstr("monitor: missing verb; expected one of: drops, show"));
  EXPECT_THAT(Describe("monitor drops p1 p2"), HasSubstr("monitor drops: unexpected argument 'p2'"));
  EXPECT_THAT(Describe("monitor show p1"), HasSubstr("unexpected argument 'p1'"));
  EXPECT_THAT(Describe("capture"), HasSubstr("capture: missing PORT or 'drops'"));
  EXPECT_THAT(Describe("capture p1"), HasSubstr("capture: missing -w FILE"));
  EXPECT_THAT(Describe("capture p1 udp"), HasSubstr("expected -w FILE after p1, got 'udp'"));
  EXPECT_THAT(Describe("capture p1 -w"), HasSubstr("missing FILE after -w"));
  EXPECT_THAT(Describe("capture p1 -w f udp port"), HasSubstr("capture: filter 'udp port':"));
  EXPECT_THAT(Describe("capture a/b -w f"), HasSubstr("capture:"));
  EXPECT_THAT(Describe("why -n 0"), HasSubstr("-n must be 1-256"));
  EXPECT_THAT(Describe("why -n"), HasSubstr("missing N after -n"));
  EXPECT_THAT(Describe("why p1 p2"), HasSubstr("why: unexpected argument 'p2'"));
  EXPECT_THAT(Describe("why -n 2 -n 3"), HasSubstr("-n given twice"));
}

TEST(ObserveGrammar, HelpListsTheCommands) {
  const std::vector<std::string> help{"help"};
  auto text = HelpText(help);
  ASSERT_TRUE(text.has_value());
  EXPECT_THAT(*text, HasSubstr("monitor drops [PORT]\n"));
  EXPECT_THAT(*text, HasSubstr("capture PORT|drops -w FILE|- [FILTER]\n"));
  EXPECT_THAT(*text, HasSubstr("why [PORT] [-n N]\n"));
}

// 02:..:01 > 02:..:02, VLAN 30, IPv4 10.0.0.1:1234 > 10.0.0.2:9999 UDP
std::vector<uint8_t> UdpFrame(uint16_t dport, bool tagged) {
  std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  if (tagged) f.insert(f.end(), {0x81, 0x00, 0x00, 30});
  f.insert(f.end(), {0x08, 0x00});
  const uint8_t ip[] = {0x45, 0, 0, 33, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
  f.insert(f.end(), ip, ip + sizeof ip);
  f.insert(f.end(), {0x04, 0xd2, static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport), 0, 13, 0, 0});
  f.insert(f.end(), {'h', 'e', 'l', 'l', 'o'});
  return f;
}

TEST(CaptureFilter, LibpcapCompilesItAndBpfFilterRunsIt) {
  auto prog = CompileCaptureFilter("udp port 9999");
  ASSERT_TRUE(prog.ok()) << prog.status();
  ASSERT_EQ(prog->size() % sizeof(bpf_insn), 0u);
  const auto* insns = reinterpret_cast<const bpf_insn*>(prog->data());
  ASSERT_TRUE(bpf_validate(insns, static_cast<int>(prog->size() / sizeof(bpf_insn))));
  const auto hit = UdpFrame(9999, false), miss = UdpFrame(9998, false);
  EXPECT_NE(bpf_filter(insns, hit.data(), hit.size(), hit.size()), 0u);
  EXPECT_EQ(bpf_filter(insns, miss.data(), miss.size(), miss.size()), 0u);
  EXPECT_THAT(CompileCaptureFilter("udp port").status().message(), HasSubstr("filter 'udp port':"));
}

TEST(FrameSummary, UdpWithATag) {
  const auto f = UdpFrame(9999, true);
  const FrameSummary s = Summarize(f, 64);
  EXPECT_EQ(s.text, "02:00:00:00:00:01 > 02:00:00:00:00:02 vlan 30 ipv4 10.0.0.1:1234 > 10.0.0.2:9999 udp len 64");
  EXPECT_EQ(s.vlans, std::vector<uint16_t>{30});
  EXPECT_EQ(s.ethertype, 0x0800);
  EXPECT_EQ(s.proto, "udp");
  EXPECT_EQ(s.sport, 1234);
  EXPECT_EQ(s.dport, 9999);
}

TEST(FrameSummary, ArpIcmpOthersAndShortFrames) {
  const std::vector<uint8_t> arp = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4,
                                    0,    1,    2,    0,    0,    0,    0, 1, 10, 0, 0, 1, 0,    0,    0, 0, 0, 0, 10, 0, 0, 2};
  EXPECT_EQ(Summarize(arp, 42).text, "02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff arp who-has 10.0.0.2 tell 10.0.0.1 len 42");
  auto icmp = UdpFrame(0, false);
  icmp[23] = 1;  // protocol ICMP
  icmp[34] = 8;  // echo request
  icmp[35] = 0;
  EXPECT_THAT(Summarize(icmp, 60).text, HasSubstr("ipv4 10.0.0.1 > 10.0.0.2 icmp echo-request len 60"));
  const std::vector<uint8_t> lldp = {1, 0x80, 0xc2, 0, 0, 0x0e, 2, 0, 0, 0, 0, 1, 0x88, 0xcc};
  EXPECT_EQ(Summarize(lldp, 60).text, "02:00:00:00:00:01 > 01:80:c2:00:00:0e ethertype 0x88cc len 60");
  const std::vector<uint8_t> runt = {1, 2, 3};
  EXPECT_EQ(Summarize(runt, 3).text, "runt len 3");
  auto cut = UdpFrame(9999, true);
  cut.resize(14);  // the tag cut in half
  EXPECT_THAT(Summarize(cut, 64).text, HasSubstr("vlan (truncated)"));
}

// A monitor event as pvland sends it.
Message Event(bool drop) {
  MessageBuilder b(PVL_MSG_CTL, NLM_F_MULTI, 0, PVL_CMD_MONITOR);
  b.PutU64(PVL_A_TIME_NS, 1700000000123456789ull);
  b.PutString(PVL_A_DIRECTION, drop ? "drop" : "tx");
  b.PutString(PVL_A_PORT, "p2");
  if (drop) {
    b.PutString(PVL_A_IN_PORT, "p1");
    b.PutString(PVL_A_REASON, "isolated_port");
    b.PutU16(PVL_A_VLAN, 30);
  }
  b.PutU32(PVL_A_WIRE_LEN, 64);
  const auto f = UdpFrame(9999, true);
  b.PutBinary(PVL_A_FRAME, f);
  b.PutU64(PVL_A_LOST, 3);
  auto msgs = ParseMessages(b.bytes().data(), b.size());
  EXPECT_TRUE(msgs.ok());
  return (*msgs)[0];
}

TEST(MonitorEvents, LineJsonAndComment) {
  const Message drop = Event(true);
  auto v = drop.Attrs();
  ASSERT_TRUE(v.ok());
  EXPECT_THAT(EventLine(*v), ::testing::MatchesRegex(
                                 "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.123456 p2 isolated_port from p1 02:00:00:00:00:01 > "
                                 "02:00:00:00:00:02 vlan 30 ipv4 10.0.0.1:1234 > 10.0.0.2:9999 udp len 64"));
  EXPECT_EQ(EventJson(*v),
            "{\"time\":\"2023-11-14T22:13:20.123456789Z\",\"time_ns\":1700000000123456789,\"dir\":\"drop\","
            "\"port\":\"p2\",\"in_port\":\"p1\",\"reason\":\"isolated_port\",\"vlan\":30,\"len\":64,"
            "\"src_mac\":\"02:00:00:00:00:01\",\"dst_mac\":\"02:00:00:00:00:02\",\"tags\":[30],\"ethertype\":2048,"
            "\"src_ip\":\"10.0.0.1\",\"dst_ip\":\"10.0.0.2\",\"proto\":\"udp\",\"sport\":1234,\"dport\":9999,"
            "\"summary\":\"02:00:00:00:00:01 > 02:00:00:00:00:02 vlan 30 ipv4 10.0.0.1:1234 > 10.0.0.2:9999 udp len "
            "64\",\"lost\":3}");
  EXPECT_EQ(DropComment(*v), "isolated_port on p2 (from p1)");
  const Message tx = Event(false);
  auto t = tx.Attrs();
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(EventLine(*t), HasSubstr(" p2 tx 02:00:00:00:00:01 > "));
}

// Reads back what PcapngWriter wrote with libpcap, which reads pcapng.
TEST(Pcapng, LibpcapReadsItBack) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  PcapngWriter w(f, false);
  ASSERT_TRUE(w.Begin());
  const auto a = UdpFrame(9999, true), b = UdpFrame(7, false);
  ASSERT_TRUE(w.Write("p1", 1700000000123456789ull, a, 1000, PcapngWriter::Direction::kInbound, "vlan_not_allowed on p1"));
  ASSERT_TRUE(w.Write("p2", 1700000001000000000ull, b, static_cast<uint32_t>(b.size()),
                      PcapngWriter::Direction::kOutbound, ""));
  ASSERT_TRUE(w.Write("p1", 1700000002000000000ull, b, static_cast<uint32_t>(b.size()),
                      PcapngWriter::Direction::kUnknown, "x"));
  EXPECT_EQ(w.packets(), 3u);
  ASSERT_TRUE(w.Flush());
  std::rewind(f);
  // The comment is in the file as written (tshark shows it as frame.comment).
  std::string bytes;
  for (int c; (c = std::fgetc(f)) != EOF;) bytes.push_back(static_cast<char>(c));
  EXPECT_NE(bytes.find("vlan_not_allowed on p1"), std::string::npos);
  EXPECT_EQ(bytes.size() % 4, 0u);
  std::rewind(f);
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_fopen_offline(f, err);  // takes ownership of f
  ASSERT_NE(p, nullptr) << err;
  EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
  pcap_pkthdr* h;
  const u_char* data;
  ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
  EXPECT_EQ(h->caplen, a.size());
  EXPECT_EQ(h->len, 1000u);
  EXPECT_EQ(h->ts.tv_sec, 1700000000);
  EXPECT_EQ(h->ts.tv_usec, 123456);
  EXPECT_EQ(std::vector<uint8_t>(data, data + h->caplen), a);
  ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
  EXPECT_EQ(h->caplen, b.size());
  ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
  EXPECT_EQ(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
  pcap_close(p);
}

}  // namespace
}  // namespace pvland::ctl
