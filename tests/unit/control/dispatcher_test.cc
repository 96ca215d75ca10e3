// The dispatcher's framing: one reply per request, errors as NLMSG_ERROR with the
// handler's message and an errno, no partial records after a failure.
#include "daemon/control/dispatcher.h"

#include <gtest/gtest.h>

#include "tests/unit/control/control_fixture.h"

namespace pvland::testing {
namespace {

using DispatcherTest = ControlFixture;

TEST_F(DispatcherTest, ShowAnswersWithOneRecordPerPortThenAnAck) {
  AddPort("p1");
  AddPort("p2");
  auto msgs = Exchange(Request("port show"));
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0].type, PVL_MSG_CTL);
  EXPECT_EQ(*msgs[0].Attrs()->String(PVL_A_NAME), "p1");
  EXPECT_EQ(*msgs[1].Attrs()->String(PVL_A_NAME), "p2");
  EXPECT_EQ(msgs[2].type, NLMSG_ERROR);
  EXPECT_EQ(msgs[2].error, 0);
  EXPECT_EQ(msgs[2].seq, msgs[0].seq);
}

TEST(ReplyRecords, EachRecordKeepsOnlyItsBytesOnceTheNextStarts) {
  ReplyRecords out(PVL_CMD_PORT_GET, 7);
  out.Add().PutString(PVL_A_NAME, "p1");
  out.Add().PutString(PVL_A_NAME, "p2");
  const ctl::MessageBuilder& first = out.records()[0];
  ASSERT_FALSE(first.overflowed());
  EXPECT_LT(first.bytes().size(), 64u) << "the bytes of one short record";
  // A dump of 65536 records must not hold 64 KiB each (a full FDB: 4 GiB).
  ctl::MessageBuilder sealed = first;
  sealed.Seal();
  sealed.PutString(PVL_A_NAME, "late");
  EXPECT_TRUE(sealed.overflowed()) << "nothing more fits a sealed record";
  auto parsed = ctl::ParseMessages(first.bytes().data(), first.bytes().size());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*(*parsed)[0].Attrs()->String(PVL_A_NAME), "p1");
}

TEST_F(DispatcherTest, AFailedRequestGivesOnlyAnErrorWithItsMessage) {
  auto msgs = Exchange(Request("port show nosuch"));
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].type, NLMSG_ERROR);
  EXPECT_EQ(msgs[0].error, -ENOENT);
  EXPECT_EQ(msgs[0].error_msg, "no port named 'nosuch'");
}

TEST_F(DispatcherTest, EveryRequestOfADatagramIsAnswered) {
  AddPort("p1");
  std::vector<uint8_t> two = Request("port set p1 isolated on");
  std::vector<uint8_t> second = Request("port set nosuch isolated on");
  two.insert(two.end(), second.begin(), second.end());
  auto msgs = Exchange(two);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].error, 0);
  EXPECT_EQ(msgs[1].error, -ENOENT);
  EXPECT_NE(msgs[0].seq, msgs[1].seq);
  EXPECT_TRUE(Port("p1").cfg.isolated);
}

TEST_F(DispatcherTest, GarbageIsRefusedWithEinval) {
  const std::vector<uint8_t> junk = {1, 2, 3, 4, 5, 6, 7};
  auto msgs = Exchange(junk);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].type, NLMSG_ERROR);
  EXPECT_EQ(msgs[0].error, -EINVAL);
}

// What only pvland sends is never taken as a request: a client that sends an ack, an
// NLMSG_DONE or a reply record gets an error for it and nothing changes.
TEST_F(DispatcherTest, RepliesSentBackAreRefusedAndChangeNothing) {
  AddPort("p1");
  const auto refused = [&](std::vector<uint8_t> msg, std::string_view what) {
    auto msgs = Exchange(msg);
    ASSERT_EQ(msgs.size(), 1u) << what;
    EXPECT_EQ(msgs[0].type, NLMSG_ERROR) << what;
    EXPECT_EQ(msgs[0].error, -EINVAL) << what;
    EXPECT_FALSE(msgs[0].error_msg.empty()) << what;
  };
  refused(ctl::BuildAck(7, 0, ""), "an ack");
  refused(ctl::BuildAck(7, -ENOENT, "no port"), "an error");
  ctl::MessageBuilder done(NLMSG_DONE, NLM_F_MULTI, 8, 0);
  refused(std::vector<uint8_t>(done.bytes().begin(), done.bytes().end()), "NLMSG_DONE");
  // `port set p1 isolated on` as a reply record: no NLM_F_REQUEST.
  ctl::MessageBuilder record(PVL_MSG_CTL, NLM_F_MULTI, 9, PVL_CMD_PORT_SET);
  record.PutString(PVL_A_NAME, "p1");
  record.PutBool(PVL_A_ISOLATED, true);
  refused(std::vector<uint8_t>(record.bytes().begin(), record.bytes().end()), "a record");
  EXPECT_FALSE(Port("p1").cfg.isolated);
}

TEST_F(DispatcherTest, ADatagramWithOneBrokenMessageRunsNoneOfIt) {
  AddPort("p1");
  std::vector<uint8_t> two = Request("port set p1 isolated on");
  std::vector<uint8_t> cut = Request("port set p1 hairpin on");
  cut.resize(cut.size() - 4);  // its length now says more than the datagram holds
  two.insert(two.end(), cut.begin(), cut.end());
  auto msgs = Exchange(two);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].error, -EINVAL);
  EXPECT_FALSE(Port("p1").cfg.isolated) << "the good request before the broken one did not run";
  EXPECT_FALSE(Port("p1").cfg.hairpin);
}

TEST_F(DispatcherTest, UnknownCommandIsUnsupported) {
  auto s = RunRaw(PVL_CMD_COUNT, [](ctl::MessageBuilder&) {});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
  s = RunRaw(PVL_CMD_UNSPEC, [](ctl::MessageBuilder&) {});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
}

TEST_F(DispatcherTest, L3CommandsWithoutAnEdgeFailCleanly) {
  auto s = Run("sysctl net.ipv4.conf.all.proxy_arp");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace pvland::testing
