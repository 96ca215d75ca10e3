// The mirror sender over a fake sendmmsg: datagrams addressed to each session's target,
// counted as sent, and every way the socket can refuse turned into lost copies on the
// right sessions, never a retry and never a wait.
#include "daemon/dataplane/mirror_sender.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <deque>
#include <memory>

#include "tests/unit/mirror/frames.h"

namespace pvland {
namespace {

using mirror::testing::Parse;
using mirror::testing::Parsed;

// What the fake socket saw, and what it answers.
struct FakeSocket {
  struct Sent {
    uint32_t target;
    std::vector<uint8_t> bytes;
  };
  std::vector<Sent> sent;
  std::deque<int> answers;  // per call: >= 0 take that many (capped), < 0 fail with -errno
  int calls = 0;

  int Send(mmsghdr* msgs, unsigned n) {
    ++calls;
    int take = static_cast<int>(n);
    if (!answers.empty()) {
      const int a = answers.front();
      answers.pop_front();
      if (a < 0) {
        errno = -a;
        return -1;
      }
      take = std::min(take, a);
    }
    for (int i = 0; i < take; ++i) {
      const auto* sin = static_cast<const sockaddr_in*>(msgs[i].msg_hdr.msg_name);
      const iovec& iov = msgs[i].msg_hdr.msg_iov[0];
      const auto* b = static_cast<const uint8_t*>(iov.iov_base);
      sent.push_back({ntohl(sin->sin_addr.s_addr), std::vector<uint8_t>(b, b + iov.iov_len)});
      msgs[i].msg_len = static_cast<unsigned>(iov.iov_len);
    }
    return take;
  }
};

class MirrorSenderTest : public ::testing::Test {
 protected:
  MirrorSenderTest() : sender_(clock_, [this](int, mmsghdr* m, unsigned n) { return socket_.Send(m, n); }) {
    sender_.OpenForTest();
    a_ = Add("a", 0xc0000209);
    b_ = Add("b", 0xc000020a);
  }
  uint32_t Add(const std::string& name, uint32_t target) {
    mirror::SessionSpec s;
    s.name = name;
    s.target = target;
    s.source = static_cast<uint16_t>(sessions_.size());
    return *sessions_.Add(s);
  }
  // `n` copies for session `id`.
  void Queue(uint32_t id, int n) {
    for (int i = 0; i < n; ++i) {
      frames_.push_back(Parse({.sport = static_cast<uint16_t>(1000 + i)}));
      mirror::Copy c;
      c.item.pkt = &frames_.back()->p;
      c.session = id;
      copies_.push_back(c);
    }
  }
  void Send() { sender_.Send(sessions_, copies_); }
  const mirror::Counters& Of(uint32_t id) { return sessions_.at(id)->counters; }

  FakeClock clock_;
  FakeSocket socket_;
  MirrorSender sender_;
  mirror::Sessions sessions_;
  uint32_t a_ = 0, b_ = 0;
  std::vector<std::unique_ptr<Parsed>> frames_;
  std::vector<mirror::Copy> copies_;
};

TEST_F(MirrorSenderTest, EverythingInOneCallToEachTarget) {
  Queue(a_, 3);
  Queue(b_, 2);
  Send();
  EXPECT_EQ(socket_.calls, 1);
  ASSERT_EQ(socket_.sent.size(), 5u);
  EXPECT_EQ(socket_.sent[0].target, 0xc0000209u);
  EXPECT_EQ(socket_.sent[4].target, 0xc000020au);
  EXPECT_EQ(socket_.sent[0].bytes.size(), 16 + frames_[0]->bytes.size());
  EXPECT_EQ(Of(a_).packets, 3u);
  EXPECT_EQ(Of(a_).bytes, 3 * frames_[0]->bytes.size());
  EXPECT_EQ(Of(b_).packets, 2u);
  EXPECT_EQ(Of(a_).lost + Of(b_).lost, 0u);
}

TEST_F(MirrorSenderTest, APartialSendGoesOnWithTheRest) {
  Queue(a_, 5);
  socket_.answers = {2, 1};
  Send();
  EXPECT_EQ(socket_.calls, 3);
  EXPECT_EQ(socket_.sent.size(), 5u);
  EXPECT_EQ(Of(a_).packets, 5u);
}

TEST_F(MirrorSenderTest, AFullSocketLosesTheRestOfTheBatchWithoutWaiting) {
  Queue(a_, 2);
  Queue(b_, 2);
  socket_.answers = {1, -EAGAIN};
  Send();
  EXPECT_EQ(socket_.calls, 2);
  EXPECT_EQ(Of(a_).packets, 1u);
  EXPECT_EQ(Of(a_).lost, 1u);
  EXPECT_EQ(Of(b_).lost, 2u);
  socket_.answers = {-ENOBUFS};
  Send();
  EXPECT_EQ(Of(a_).lost, 3u);
  EXPECT_EQ(Of(b_).lost, 4u);
  EXPECT_EQ(socket_.calls, 3) << "never retried";
  EXPECT_EQ(sessions_.at(b_)->error, EAGAIN);
}

TEST_F(MirrorSenderTest, AnUnreachableTargetLosesItsCopiesOnlyAndIsTriedOnce) {
  // Interleaved: a b a b a. The first a fails with no route: the other a's are not tried.
  for (int i = 0; i < 5; ++i) Queue(i % 2 == 0 ? a_ : b_, 1);
  socket_.answers = {-ENETUNREACH};
  Send();
  EXPECT_EQ(Of(a_).lost, 3u);
  EXPECT_EQ(Of(a_).packets, 0u);
  EXPECT_EQ(Of(b_).packets, 2u);
  EXPECT_EQ(Of(b_).lost, 0u);
  EXPECT_EQ(socket_.calls, 2);
  ASSERT_EQ(socket_.sent.size(), 2u);
  EXPECT_EQ(socket_.sent[0].target, 0xc000020au);
  EXPECT_EQ(socket_.sent[1].target, 0xc000020au);
  EXPECT_EQ(sessions_.at(a_)->error, ENETUNREACH) << "mirror show says why";
  EXPECT_EQ(sessions_.at(b_)->error, 0);
  Send();  // the route is back
  EXPECT_EQ(Of(a_).packets, 3u);
  EXPECT_EQ(sessions_.at(a_)->error, 0);
}

TEST_F(MirrorSenderTest, ABlackholeOrProhibitRouteIsUnreachableToo) {
  for (int err : {EINVAL, EACCES, EHOSTUNREACH}) {
    socket_.answers = {-err};
    copies_.clear();
    Queue(a_, 2);
    const uint64_t before = Of(a_).lost;
    Send();
    EXPECT_EQ(Of(a_).lost, before + 2) << strerrorname_np(err);
  }
}

TEST_F(MirrorSenderTest, ADatagramTheKernelRefusesAloneIsLostAlone) {
  Queue(a_, 3);
  socket_.answers = {-EMSGSIZE};
  Send();
  EXPECT_EQ(Of(a_).lost, 1u);
  EXPECT_EQ(Of(a_).packets, 2u);
}

TEST_F(MirrorSenderTest, AnInterruptedCallIsMadeAgain) {
  Queue(a_, 2);
  socket_.answers = {-EINTR};
  Send();
  EXPECT_EQ(Of(a_).packets, 2u);
  EXPECT_EQ(Of(a_).lost, 0u);
}

TEST_F(MirrorSenderTest, WithoutASocketEveryCopyIsLost) {
  MirrorSender closed(clock_, [this](int, mmsghdr* m, unsigned n) { return socket_.Send(m, n); });
  Queue(a_, 2);
  closed.Send(sessions_, copies_);
  EXPECT_EQ(socket_.calls, 0);
  EXPECT_EQ(Of(a_).lost, 2u);
}

}  // namespace
}  // namespace pvland
