// pvlanctl end to end, minus the process: RunPvlanctl against a fake daemon on a real
// SOCK_SEQPACKET socket, checking exit status, stdout, stderr and what was sent.
#include "ctl/cli/app.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ctl/cli/printer.h"
#include "ctl/proto/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/ctl/decode.h"
#include "tests/unit/ctl/fake_daemon.h"

namespace pvland::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::AckFor;
using testing::FakeDaemon;
using testing::RecordFor;

// Answers like a small switch: two ports; `port set`/`vlan add` succeed except on port
// "bad" and VLAN 13; anything else is acknowledged.
std::vector<std::vector<uint8_t>> Switch(const Message& m) {
  auto attrs = m.Attrs();
  if (m.cmd == PVL_CMD_PORT_GET) {
    std::vector<std::vector<uint8_t>> out;
    for (const char* name : {"p1", "p2"}) {
      if (attrs->String(PVL_A_NAME) && *attrs->String(PVL_A_NAME) != name) continue;
      out.push_back(RecordFor(m, [name](MessageBuilder& b) {
        b.PutString(PVL_A_NAME, name);
        b.PutBool(PVL_A_ISOLATED, true);
      }));
    }
    if (out.empty()) return {AckFor(m, -ENOENT, "no port named 'p9'")};
    out.push_back(AckFor(m));
    return out;
  }
  if (m.cmd == PVL_CMD_PORT_SET && attrs->String(PVL_A_NAME) == "bad")
    return {AckFor(m, -ENODEV)};
  if (m.cmd == PVL_CMD_VLAN_ADD && attrs->U16(PVL_A_VLAN) == 13)
    return {AckFor(m, -EEXIST, "vlan 13 exists")};
  return {AckFor(m)};
}

struct Outcome {
  int rc;
  std::string out;
  std::string err;
};

Outcome Pvlanctl(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int rc = RunPvlanctl(args, in, out, err);
  return {rc, out.str(), err.str()};
}

TEST(Pvlanctl, ShowPrintsTextAndSendsOneDump) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-s", d.path(), "port", "show"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "p1 isolated on\np2 isolated on\n");
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(d.requests(), ElementsAre("PORT_GET dump"));
}

TEST(Pvlanctl, JsonAndPrettyJson) {
  FakeDaemon d(Switch);
  Outcome j = Pvlanctl({"-j", "-s", d.path(), "port", "show", "p2"});
  EXPECT_EQ(j.rc, 0);
  EXPECT_EQ(j.out, "[{\"name\":\"p2\",\"isolated\":true}]\n");
  Outcome p = Pvlanctl({"-s", d.path(), "-p", "port", "show", "p2"});  // -p alone means JSON
  EXPECT_EQ(p.out, "[\n    {\n        \"name\": \"p2\",\n        \"isolated\": true\n    }\n]\n");
  EXPECT_THAT(d.requests(), ElementsAre("PORT_GET name=p2", "PORT_GET name=p2"));
}

TEST(Pvlanctl, SetPrintsNothingOnSuccess) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-s", d.path(), "port", "set", "p1", "isolated", "off"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(d.requests(), ElementsAre("PORT_SET name=p1 isolated=off"));
}

TEST(Pvlanctl, ErrorReplyGoesToStderrWithStatusOne) {
  FakeDaemon d(Switch);
  Outcome named = Pvlanctl({"-s", d.path(), "port", "show", "p9"});
  EXPECT_EQ(named.rc, 1);
  EXPECT_EQ(named.out, "");
  EXPECT_EQ(named.err, "pvlanctl: no port named 'p9'\n");
  Outcome bare = Pvlanctl({"-s", d.path(), "port", "set", "bad", "vlan", "2"});
  EXPECT_EQ(bare.rc, 1);
  EXPECT_EQ(bare.err, "pvlanctl: No such device\n");
}

TEST(Pvlanctl, BadCommandSendsNothing) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-s", d.path(), "port", "set", "p1", "vlan", "5000"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "pvlanctl: port set: vlan must be 1-4094, got 5000\n");
  EXPECT_THAT(d.requests(), IsEmpty());
}

TEST(Pvlanctl, UnreachableDaemon) {
  Outcome r = Pvlanctl({"-s", "/nonexistent/pvland.sock", "port", "show"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "pvlanctl: cannot reach pvland at /nonexistent/pvland.sock: No such file or directory\n");
}

TEST(Pvlanctl, HelpNeedsNoDaemon) {
  Outcome all = Pvlanctl({"-s", "/nonexistent", "help"});
  EXPECT_EQ(all.rc, 0);
  EXPECT_THAT(all.out, HasSubstr("usage: pvlanctl [-s SOCK] [-j] [-p] OBJECT VERB ..."));
  EXPECT_THAT(all.out, HasSubstr("fdb add MAC port P [vlan V]\n"));
  EXPECT_THAT(all.out, HasSubstr("route get ADDR\n"));
  EXPECT_THAT(all.out, HasSubstr("neigh show proxy\n"));
  Outcome fdb = Pvlanctl({"fdb", "help"});
  EXPECT_EQ(fdb.rc, 0);
  EXPECT_THAT(fdb.out, HasSubstr("fdb flush [port P] [vlan V] [dynamic]\n"));
  EXPECT_THAT(fdb.out, ::testing::Not(HasSubstr("port add")));
}

TEST(Pvlanctl, OptionErrors) {
  EXPECT_EQ(Pvlanctl({"-x", "port", "show"}).err,
            "pvlanctl: unknown option '-x'; expected -s, -j, -p, -b or -force\n");
  EXPECT_EQ(Pvlanctl({"-s"}).err, "pvlanctl: option -s needs an argument\n");
  EXPECT_EQ(Pvlanctl({"-b"}).err, "pvlanctl: option -b needs an argument\n");
  EXPECT_EQ(Pvlanctl({"-force", "port", "show"}).err, "pvlanctl: -force applies to -b FILE only\n");
  EXPECT_EQ(Pvlanctl({"-b", "-", "port", "show"}).err, "pvlanctl: unexpected 'port' after -b -\n");
  EXPECT_EQ(Pvlanctl({}).err,
            "pvlanctl: missing OBJECT; expected one of: port, vlan, fdb, stats, bridge, sysctl, route, neigh, conntrack, monitor, capture, why, save, mirror\n");
  EXPECT_EQ(Pvlanctl({"-x"}).rc, 1);
}

TEST(Pvlanctl, OptionsEndAtTheObject) {
  // `-n` after the object is the grammar's, not an unknown option of pvlanctl.
  FakeDaemon d([](const Message& m) {
    return std::vector<std::vector<uint8_t>>{
        RecordFor(m, [](MessageBuilder& b) {
          b.PutString(PVL_A_KEY, "net.ipv4.conf.all.proxy_arp");
          b.PutString(PVL_A_VALUE, "0");
        }),
        AckFor(m)};
  });
  Outcome r = Pvlanctl({"-s", d.path(), "sysctl", "-n", "net.ipv4.conf.all.proxy_arp"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "0\n");
  Outcome full = Pvlanctl({"-s", d.path(), "sysctl", "net.ipv4.conf.all.proxy_arp"});
  EXPECT_EQ(full.out, "net.ipv4.conf.all.proxy_arp = 0\n");
}

constexpr char kBatch[] =
    "port set p1 isolated on\n"
    "vlan add 13   # the daemon refuses this one\n"
    "port show p2\n";

TEST(PvlanctlBatch, StopsAtTheFirstFailingLine) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-s", d.path(), "-b", "-"}, kBatch);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "<stdin>:2: vlan 13 exists\n");
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(d.requests(), ElementsAre("PORT_SET name=p1 isolated=on", "VLAN_ADD vlan=13"));
}

TEST(PvlanctlBatch, ForceRunsEveryLineAndStillFails) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-s", d.path(), "-b", "-", "-force"}, kBatch);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "<stdin>:2: vlan 13 exists\n");
  EXPECT_EQ(r.out, "p2 isolated on\n");
  EXPECT_THAT(d.requests(), ElementsAre("PORT_SET name=p1 isolated=on", "VLAN_ADD vlan=13",
                                        "PORT_GET name=p2"));
}

TEST(PvlanctlBatch, SyntaxErrorsAreAllReportedAndNothingIsSent) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-s", d.path(), "-b", "-"},
                   "port add p1\nport set p1 vlan 0\nvlan add 10\nfdb add 01:00:00:00:00:01 port p1\n");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("<stdin>:2: port set: vlan must be 1-4094, got 0\n"));
  EXPECT_THAT(r.err, HasSubstr("<stdin>:4: fdb add: 01:00:00:00:00:01 is a group"));
  EXPECT_THAT(d.requests(), IsEmpty());
}

TEST(PvlanctlBatch, ForceSkipsBadLinesAndSendsTheRest) {
  FakeDaemon d(Switch);
  Outcome r = Pvlanctl({"-force", "-s", d.path(), "-b", "-"}, "port add p1\nport add\nvlan add 10\n");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "<stdin>:2: port add: missing port NAME\n");
  EXPECT_THAT(d.requests(), ElementsAre("PORT_ADD name=p1 type=netdev", "VLAN_ADD vlan=10"));
}

TEST(PvlanctlBatch, FileNameInMessagesAndJsonPerCommand) {
  FakeDaemon d(Switch);
  const std::string file = d.path() + ".batch";
  std::ofstream(file) << "port show p1\n\nport show p2\nport set bad vlan 3\n";
  Outcome r = Pvlanctl({"-j", "-s", d.path(), "-b", file});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out,
            "[{\"name\":\"p1\",\"isolated\":true}]\n[{\"name\":\"p2\",\"isolated\":true}]\n");
  EXPECT_EQ(r.err, file + ":4: No such device\n");
  std::remove(file.c_str());
}

TEST(PvlanctlBatch, MissingFile) {
  Outcome r = Pvlanctl({"-b", "/nonexistent/batch"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "pvlanctl: cannot open /nonexistent/batch\n");
}

TEST(PvlanctlBatch, CommentsOnlySucceedWithoutConnecting) {
  Outcome r = Pvlanctl({"-s", "/nonexistent", "-b", "-"}, "# nothing to do\n\n");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.err, "");
}

// A daemon whose configuration is two commands, or that fails to give it.
std::vector<std::vector<uint8_t>> Config(const Message& m, bool fail) {
  if (m.cmd != PVL_CMD_CONFIG_GET) return {AckFor(m)};
  if (fail) return {AckFor(m, -EIO, "cannot")};
  std::vector<std::vector<uint8_t>> out;
  for (const char* line : {"vlan add 10", "port add p1 type tap vlan 10"})
    out.push_back(RecordFor(m, [line](MessageBuilder& b) { b.PutString(PVL_A_LINE, line); }));
  out.push_back(AckFor(m));
  return out;
}

constexpr char kSaved[] =
    "# pvland configuration, written by pvlanctl save; restore with pvland -c FILE\n"
    "vlan add 10\nport add p1 type tap vlan 10\n";

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(PvlanctlSave, PrintsTheCommandsUnderAHeader) {
  FakeDaemon d([](const Message& m) { return Config(m, false); });
  Outcome r = Pvlanctl({"-s", d.path(), "save"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, kSaved);
  EXPECT_THAT(d.requests(), ElementsAre("CONFIG_GET dump"));
}

TEST(PvlanctlSave, ReplacesTheFileWholeOnlyWhenTheDaemonAnswered) {
  const std::string file = ::testing::TempDir() + "/pvl-save-test.conf";
  std::ofstream(file) << "old contents\n";
  {
    FakeDaemon failing([](const Message& m) { return Config(m, true); });
    Outcome r = Pvlanctl({"-s", failing.path(), "save", file});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.err, "pvlanctl: cannot\n");
    EXPECT_EQ(ReadAll(file), "old contents\n") << "a failed save leaves the file alone";
  }
  FakeDaemon d([](const Message& m) { return Config(m, false); });
  Outcome r = Pvlanctl({"-s", d.path(), "save", file});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "") << "the commands went to the file";
  EXPECT_EQ(ReadAll(file), kSaved);
  Outcome bad = Pvlanctl({"-s", d.path(), "save", "/nonexistent-dir/x.conf"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_THAT(bad.err, HasSubstr("cannot create /nonexistent-dir/x.conf.tmp."));
  std::remove(file.c_str());
}

TEST(PvlanctlSave, IsNotABatchCommand) {
  FakeDaemon d([](const Message& m) { return Config(m, false); });
  Outcome r = Pvlanctl({"-s", d.path(), "-b", "-"}, "vlan add 10\nsave x.conf\n");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "<stdin>:2: monitor, capture and save run on their own, not in a batch\n");
  EXPECT_THAT(d.requests(), IsEmpty());
}

TEST(ClientAndPrinter, RecordsSplitOverDatagramsArriveInOrder) {
  // Records in separate datagrams and the final ack sharing one with the last record:
  // Client must collect all of them, and the printer print them in order.
  FakeDaemon d([](const Message& m) {
    auto rec = [&m](uint8_t last) {
      return RecordFor(m, [last](MessageBuilder& b) {
        const uint8_t mac[6] = {2, 0, 0, 0, 0, last};
        b.PutMac(PVL_A_MAC, mac);
        b.PutU16(PVL_A_VLAN, 1);
        b.PutString(PVL_A_PORT, "p1");
        b.PutString(PVL_A_FDB_KIND, "static");
      });
    };
    std::vector<uint8_t> tail = rec(3);
    const auto ack = AckFor(m);
    tail.insert(tail.end(), ack.begin(), ack.end());
    return std::vector<std::vector<uint8_t>>{rec(1), rec(2), tail};
  });
  auto cmd = ParseCommand(std::vector<std::string>{"fdb", "show", "port", "p1"}, 42);
  ASSERT_TRUE(cmd.ok());
  auto client = Client::Connect(d.path());
  ASSERT_TRUE(client.ok()) << client.status();
  auto reply = client->Exchange(cmd->request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->error, 0);
  ASSERT_EQ(reply->records.size(), 3u);
  EXPECT_EQ(reply->records[0].seq, 42u);
  std::ostringstream out;
  PrintReply(*cmd, *reply, OutputFormat::kText, out);
  EXPECT_EQ(out.str(),
            "02:00:00:00:00:01 vlan 1 port p1 static\n"
            "02:00:00:00:00:02 vlan 1 port p1 static\n"
            "02:00:00:00:00:03 vlan 1 port p1 static\n");
  EXPECT_THAT(d.requests(), ElementsAre("FDB_GET dump port=p1"));
}

}  // namespace
}  // namespace pvland::ctl
