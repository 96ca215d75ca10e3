// Reading and writing /proc/sys-style integer files, on ordinary files.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "daemon/core/proc_int.h"

namespace pvland {
namespace {

class ProcIntFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/proc_int_testXXXXXX";
    const int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { unlink(path_.c_str()); }
  void Put(const std::string& text) { std::ofstream(path_) << text; }

  std::string path_;
};

TEST_F(ProcIntFileTest, ReadsWhatTheKernelPrints) {
  Put("1\n");
  EXPECT_EQ(ReadProcInt(path_), 1);
  Put("-1\n");
  EXPECT_EQ(ReadProcInt(path_), -1);
  Put("2147483647\n");
  EXPECT_EQ(ReadProcInt(path_), 2147483647);
  Put("4\t5\n");  // a vector sysctl: the first value
  EXPECT_EQ(ReadProcInt(path_), 4);
}

TEST_F(ProcIntFileTest, NothingForAbsentEmptyOrNonNumericFiles) {
  EXPECT_EQ(ReadProcInt("/nonexistent/forwarding"), std::nullopt);
  Put("");
  EXPECT_EQ(ReadProcInt(path_), std::nullopt);
  Put("abc\n");
  EXPECT_EQ(ReadProcInt(path_), std::nullopt);
}

TEST_F(ProcIntFileTest, WriteThenRead) {
  ASSERT_TRUE(WriteProcFile(path_, "7").ok());
  EXPECT_EQ(ReadProcInt(path_), 7);
  EXPECT_FALSE(WriteProcFile("/nonexistent/forwarding", "1").ok());
}

}  // namespace
}  // namespace pvland
