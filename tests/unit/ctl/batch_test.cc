#include "ctl/cli/batch.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/ctl/decode.h"

namespace pvland::ctl {
namespace {

using ::testing::HasSubstr;
using testing::DescribeRequest;

TEST(ParseBatch, KeepsLineNumbersAndNumbersRequestsInOrder) {
  std::istringstream in(
      "# set up the lab\n"
      "\n"
      "port add veth0\n"
      "   # indented comment\n"
      "port set veth0 isolated on   # comment after a command\n"
      "vlan add 10\n");
  const auto lines = ParseBatch(in, 100);
  ASSERT_EQ(lines.size(), 3u);
  uint32_t seq = 0;
  EXPECT_EQ(lines[0].line, 3);
  ASSERT_TRUE(lines[0].command.ok());
  EXPECT_EQ(DescribeRequest(lines[0].command->request, &seq), "PORT_ADD name=veth0 type=netdev");
  EXPECT_EQ(seq, 100u);
  EXPECT_EQ(lines[1].line, 5);
  ASSERT_TRUE(lines[1].command.ok());
  EXPECT_EQ(DescribeRequest(lines[1].command->request, &seq), "PORT_SET name=veth0 isolated=on");
  EXPECT_EQ(seq, 101u);
  EXPECT_EQ(lines[2].line, 6);
  ASSERT_TRUE(lines[2].command.ok());
  EXPECT_EQ(DescribeRequest(lines[2].command->request, &seq), "VLAN_ADD vlan=10");
  EXPECT_EQ(seq, 102u);
}

TEST(ParseBatch, BadLinesCarryTheirError) {
  std::istringstream in("port add veth0\nport set veth0 vlan 5000\nport add \"x\nvlan add 2");
  const auto lines = ParseBatch(in, 1);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(lines[0].command.ok());
  ASSERT_FALSE(lines[1].command.ok());
  EXPECT_EQ(lines[1].line, 2);
  EXPECT_EQ(lines[1].command.status().message(), "port set: vlan must be 1-4094, got 5000");
  ASSERT_FALSE(lines[2].command.ok());
  EXPECT_THAT(std::string(lines[2].command.status().message()), HasSubstr("unterminated"));
  ASSERT_TRUE(lines[3].command.ok());  // last line without a newline still counts
  EXPECT_EQ(lines[3].line, 4);
}

TEST(ParseBatch, EmptyInputHasNoLines) {
  std::istringstream in("\n# nothing\n\n");
  EXPECT_TRUE(ParseBatch(in, 1).empty());
}

}  // namespace
}  // namespace pvland::ctl
