#include <string>
#include <vector>

#include "ctl/cli/grammar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pvland::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Split(std::string_view line) {
  auto w = SplitLine(line);
  EXPECT_TRUE(w.ok()) << line << ": " << w.status();
  return w.ok() ? *w : std::vector<std::string>{"<error>"};
}

TEST(SplitLine, BlanksSeparateWords) {
  EXPECT_THAT(Split("port set  p1\tvlan 10"), ElementsAre("port", "set", "p1", "vlan", "10"));
  EXPECT_THAT(Split("  port show  "), ElementsAre("port", "show"));
  EXPECT_THAT(Split("port show\r"), ElementsAre("port", "show"));
}

TEST(SplitLine, BlankAndCommentLinesHaveNoWords) {
  EXPECT_THAT(Split(""), IsEmpty());
  EXPECT_THAT(Split("   \t "), IsEmpty());
  EXPECT_THAT(Split("# a comment"), IsEmpty());
  EXPECT_THAT(Split("   # indented comment"), IsEmpty());
}

TEST(SplitLine, HashStartsACommentOnlyAtAWordStart) {
  EXPECT_THAT(Split("port show p1 # the uplink"), ElementsAre("port", "show", "p1"));
  EXPECT_THAT(Split("port show p1#2"), ElementsAre("port", "show", "p1#2"));
  EXPECT_THAT(Split("port show \"#p\""), ElementsAre("port", "show", "#p"));
}

TEST(SplitLine, QuotesGroupAndAreRemoved) {
  EXPECT_THAT(Split("sysctl -w \"a=b c\""), ElementsAre("sysctl", "-w", "a=b c"));
  EXPECT_THAT(Split("x 'single \"inner\" quotes'"), ElementsAre("x", "single \"inner\" quotes"));
  EXPECT_THAT(Split("x \"it's\""), ElementsAre("x", "it's"));
  EXPECT_THAT(Split("a\"b c\"d"), ElementsAre("ab cd"));
  EXPECT_THAT(Split("port add \"\""), ElementsAre("port", "add", ""));
  EXPECT_THAT(Split("''"), ElementsAre(""));
}

TEST(SplitLine, UnterminatedQuoteIsAnError) {
  auto w = SplitLine("port add \"p1");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "unterminated \" quote");
  auto s = SplitLine("port add 'p1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "unterminated ' quote");
}

}  // namespace
}  // namespace pvland::ctl
