// An instance's identity: the canonical socket path, the nftables table name derived
// from it, and the lock that says whether an instance of that socket is alive.
#include "daemon/core/instance.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

namespace pvland {
namespace {

class InstanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pvl-instance-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    sock_ = dir_ + "/sw.sock";
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  bool Exists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
  }
  void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  std::string ReadFile(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  std::string dir_;
  std::string sock_;
};

TEST_F(InstanceTest, CanonicalPathResolvesTheDirectoryNotTheFile) {
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  ASSERT_EQ(symlink((dir_ + "/sub").c_str(), (dir_ + "/link").c_str()), 0);
  auto a = CanonicalSocketPath(dir_ + "/sub/x.sock");
  auto b = CanonicalSocketPath(dir_ + "/link/../sub/./x.sock");
  auto c = CanonicalSocketPath(dir_ + "/link/x.sock");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c) << "a symlinked directory is the same socket";
  EXPECT_EQ(a->rfind('/'), a->size() - std::string("/x.sock").size());

  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  auto rel = CanonicalSocketPath("sub/x.sock");
  auto bare = CanonicalSocketPath("y.sock");
  ASSERT_EQ(chdir(cwd), 0);
  ASSERT_TRUE(rel.ok() && bare.ok());
  EXPECT_EQ(*rel, *a) << "relative to the working directory";
  EXPECT_EQ(bare->substr(bare->rfind('/')), "/y.sock");
  EXPECT_EQ(bare->front(), '/');
}

TEST_F(InstanceTest, CanonicalPathRefusesMissingDirectoriesAndDirectoryNames) {
  EXPECT_EQ(CanonicalSocketPath(dir_ + "/nosuch/x.sock").status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(CanonicalSocketPath("").ok());
  EXPECT_FALSE(CanonicalSocketPath(dir_ + "/").ok());
  EXPECT_FALSE(CanonicalSocketPath(dir_ + "/..").ok());
  EXPECT_EQ(*CanonicalSocketPath("/x.sock"), "/x.sock");
}

TEST(NftTableNameTest, IsPvlandAndThePathWithOddCharactersReplaced) {
  EXPECT_EQ(NftTableName("/run/pvland.sock"), "pvland/run/pvland.sock");
  EXPECT_EQ(NftTableName("/tmp/a b/s\"w;1.sock"), "pvland/tmp/a_b/s_w_1.sock");
  EXPECT_NE(NftTableName("/run/a.sock"), NftTableName("/run/b.sock"));
}

TEST(LockHolderTest, FormatsAndParsesPidAndStartTime) {
  const LockHolder h{1234, 987654321ULL};
  auto back = ParseLockHolder(FormatLockHolder(h));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->pid, 1234);
  EXPECT_EQ(back->start_time, 987654321ULL);
  EXPECT_FALSE(ParseLockHolder("").has_value());
  EXPECT_FALSE(ParseLockHolder("12").has_value());
  EXPECT_FALSE(ParseLockHolder("x 12").has_value());
  EXPECT_FALSE(ParseLockHolder("0 12").has_value());
  EXPECT_FALSE(ParseLockHolder("12 34 56").has_value());
}

TEST_F(InstanceTest, ASecondInstanceOfTheSameSocketIsRefusedWithThePid) {
  auto first = InstanceLock::Acquire(sock_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->previous().pid, 0) << "nobody held it before";
  EXPECT_EQ(first->path(), sock_ + ".lock");
  auto second = InstanceLock::Acquire(sock_);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(std::string(second.status().message()).find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status();
  EXPECT_TRUE(Exists(sock_ + ".lock")) << "a refused start leaves the holder's file alone";
  auto other = InstanceLock::Acquire(dir_ + "/other.sock");
  EXPECT_TRUE(other.ok()) << "another socket is another instance";
}

TEST_F(InstanceTest, AStoppedInstanceRemovesItsLockFile) {
  { auto lock = InstanceLock::Acquire(sock_); ASSERT_TRUE(lock.ok()); }
  EXPECT_FALSE(Exists(sock_ + ".lock"));
  auto again = InstanceLock::Acquire(sock_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->previous().pid, 0) << "a clean stop leaves no previous holder";
}

TEST_F(InstanceTest, AKilledHoldersRecordIsReportedAndReplaced) {
  // A process that held the lock and is gone: a child that exits and is reaped.
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  WriteFile(sock_ + ".lock", FormatLockHolder(LockHolder{child, 42}));
  auto lock = InstanceLock::Acquire(sock_, /*exit_wait_ms=*/50);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(lock->previous().pid, child);
  auto mine = ParseLockHolder(ReadFile(sock_ + ".lock"));
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->pid, getpid());
}

TEST_F(InstanceTest, APreviousHolderStillRunningIsWaitedForThenReported) {
  // The record names this very process (alive, not a zombie) while nobody holds the
  // lock: the state of a killed instance still closing its files.
  auto self = InstanceLock::Acquire(dir_ + "/probe.sock");
  ASSERT_TRUE(self.ok());
  WriteFile(sock_ + ".lock", ReadFile(dir_ + "/probe.sock.lock"));
  const auto start = std::chrono::steady_clock::now();
  auto lock = InstanceLock::Acquire(sock_, /*exit_wait_ms=*/100);
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kUnavailable) << lock.status();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST_F(InstanceTest, AReusedPidIsNotTheHolder) {
  // Our pid with another start time: the holder is gone and the pid was given again.
  auto self = InstanceLock::Acquire(dir_ + "/probe.sock");
  ASSERT_TRUE(self.ok());
  auto rec = ParseLockHolder(ReadFile(dir_ + "/probe.sock.lock"));
  ASSERT_TRUE(rec.has_value());
  rec->start_time += 1;
  WriteFile(sock_ + ".lock", FormatLockHolder(*rec));
  auto lock = InstanceLock::Acquire(sock_, /*exit_wait_ms=*/100);
  EXPECT_TRUE(lock.ok()) << lock.status();
}

}  // namespace
}  // namespace pvland
