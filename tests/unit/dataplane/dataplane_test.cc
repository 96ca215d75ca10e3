// The dataplane over fake ports: it receives, runs the pipeline, sends the lists the
// pipeline returned and counts the outcome, and follows each port's lifecycle through the
// Port interface alone. No sockets: the fakes' fds are eventfds, only so the event loop
// has something to watch.
#include "daemon/dataplane/dataplane.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>

#include <cerrno>

#include "daemon/core/unique_fd.h"
#include "tests/unit/daemon/fake_port.h"

namespace pvland {
namespace {

std::vector<uint8_t> Frame(uint8_t dst, uint8_t src) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, dst, 0x02, 0, 0, 0, 0, src, 0x08, 0x00};
  f.resize(60, 0xab);
  return f;
}

class DataplaneTest : public ::testing::Test {
 protected:
  DataplaneTest() : dataplane_(loop_, bridge_, clock_) {}

  // Adds an access port on VLAN 1 backed by a fake; returns the fake.
  FakePort* Add(const std::string& name) {
    auto port = std::make_unique<FakePort>(name);
    FakePort* fake = port.get();
    fds_.emplace_back(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    fake->fd_for_loop = fds_.back().get();
    auto idx = dataplane_.AddPort(std::move(port), PortConfig{});
    EXPECT_TRUE(idx.ok()) << idx.status();
    index_[name] = *idx;
    return fake;
  }
  SwitchPort& Sp(const std::string& name) { return *bridge_.port(index_[name]); }
  uint64_t Drops(const std::string& name, DropReason r) { return Sp(name).counters.drops[static_cast<int>(r)]; }

  EventLoop loop_;
  Bridge bridge_;
  FakeClock clock_;
  Dataplane dataplane_;
  std::vector<UniqueFd> fds_;
  std::map<std::string, uint16_t> index_;
};

TEST_F(DataplaneTest, AddOpensThePortAndTakesItsTypeAndKind) {
  FakePort* a = Add("a");
  EXPECT_TRUE(a->is_open());
  EXPECT_EQ(a->opens, 1);
  EXPECT_EQ(Sp("a").type, "fake");
  EXPECT_EQ(Sp("a").kind, PortKind::kTap);
  EXPECT_EQ(Sp("a").state, PortState::kUp);
}

TEST_F(DataplaneTest, AFailedOpenCreatesNothing) {
  auto port = std::make_unique<FakePort>("bad");
  port->open_error = absl::NotFoundError("no interface named 'bad'");
  auto idx = dataplane_.AddPort(std::move(port), PortConfig{});
  EXPECT_EQ(idx.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(bridge_.FindPort("bad").has_value());
}

TEST_F(DataplaneTest, AnUnknownPortTypeIsRefusedWithTheKnownOnes) {
  auto idx = dataplane_.AddPort("x", "bogus", PortConfig{});
  EXPECT_EQ(idx.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(idx.status().message().find("netdev, tap, internal or vxlan"), std::string::npos) << idx.status();
}

TEST_F(DataplaneTest, DuplicateNamesAreRefused) {
  Add("a");
  auto idx = dataplane_.AddPort(std::make_unique<FakePort>("a"), PortConfig{});
  EXPECT_EQ(idx.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(DataplaneTest, ReceivesRunsThePipelineSendsAndCounts) {
  FakePort* a = Add("a");
  FakePort* b = Add("b");
  a->Inject(Frame(0xff, 1));  // unknown unicast: flooded to b
  EXPECT_EQ(dataplane_.PollOnce(index_["a"]), 1u);
  ASSERT_EQ(b->sent.size(), 1u);
  EXPECT_EQ(b->sent[0], Frame(0xff, 1));
  EXPECT_EQ(Sp("a").counters.rx_packets, 1u);
  EXPECT_EQ(Sp("a").counters.rx_bytes, 60u);
  EXPECT_EQ(Sp("b").counters.tx_packets, 1u);
  EXPECT_EQ(Sp("b").counters.tx_bytes, 60u);
  EXPECT_TRUE(a->sent.empty());
}

TEST_F(DataplaneTest, SendErrorsAreCountedByErrno) {
  FakePort* a = Add("a");
  FakePort* b = Add("b");
  FakePort* c = Add("c");
  b->fail_errno = EMSGSIZE;
  c->fail_errno = ENOBUFS;
  a->Inject(Frame(0xff, 1));
  dataplane_.PollOnce(index_["a"]);
  EXPECT_EQ(Drops("b", DropReason::kMtuExceeded), 1u);
  EXPECT_EQ(Drops("c", DropReason::kTxError), 1u);
  EXPECT_EQ(Sp("b").counters.tx_packets, 0u);
}

TEST_F(DataplaneTest, AVanishedInterfaceIsDetachedAndOthersKeepForwarding) {
  FakePort* a = Add("a");
  FakePort* b = Add("b");
  FakePort* c = Add("c");
  // b's interface disappears: the periodic check closes it and reports it absent.
  b->link = PortState::kAbsent;
  dataplane_.CheckPorts();
  EXPECT_FALSE(b->is_open());
  EXPECT_EQ(Sp("b").state, PortState::kAbsent);
  EXPECT_EQ(dataplane_.KernelDrops(index_["b"]), std::nullopt);
  a->Inject(Frame(0xff, 1));
  dataplane_.PollOnce(index_["a"]);
  EXPECT_EQ(c->sent.size(), 1u) << "the rest keeps forwarding";
  EXPECT_TRUE(b->sent.empty());
  // A known unicast towards the absent port counts as port_down there.
  bridge_.fdb().AddStatic(1, 1, {0x02, 0, 0, 0, 0, 2}, index_["b"]);
  a->Inject(Frame(2, 1));
  dataplane_.PollOnce(index_["a"]);
  EXPECT_EQ(Drops("b", DropReason::kPortDown), 1u);
}

TEST_F(DataplaneTest, APortIsReopenedOnlyWhenItSaysItCanBe) {
  Add("a");
  FakePort* b = Add("b");
  b->link = PortState::kAbsent;
  dataplane_.CheckPorts();
  ASSERT_FALSE(b->is_open());
  dataplane_.CheckPorts();
  EXPECT_EQ(b->opens, 1) << "not reopened while CanReopen() is false";
  b->can_reopen = true;
  b->link = PortState::kUp;
  dataplane_.CheckPorts();
  EXPECT_TRUE(b->is_open());
  EXPECT_EQ(b->opens, 2);
  EXPECT_EQ(Sp("b").state, PortState::kUp);
}

TEST_F(DataplaneTest, LinkDownIsFollowed) {
  FakePort* a = Add("a");
  a->link = PortState::kDown;
  dataplane_.CheckPorts();
  EXPECT_TRUE(a->is_open()) << "a down link keeps its port open";
  EXPECT_EQ(Sp("a").state, PortState::kDown);
  a->Inject(Frame(0xff, 1));
  dataplane_.PollOnce(index_["a"]);
  EXPECT_EQ(Sp("a").state, PortState::kUp) << "a received frame proves the link is up";
}

TEST_F(DataplaneTest, DeleteForgetsThePortAndItsAddresses) {
  FakePort* a = Add("a");
  Add("b");
  a->Inject(Frame(0xff, 1));
  dataplane_.PollOnce(index_["a"]);
  ASSERT_EQ(bridge_.fdb().size(), 1u);
  dataplane_.DeletePort(index_["a"]);
  EXPECT_FALSE(bridge_.FindPort("a").has_value());
  EXPECT_EQ(bridge_.fdb().size(), 0u);
}

}  // namespace
}  // namespace pvland
