#include "include/pvland/strings.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace pvland {
namespace {

TEST(StringViewBridge, ConvertsWithoutCopying) {
  const std::string_view s = "abc";
  const absl::string_view a = Av(s);
  EXPECT_EQ(a.data(), s.data());
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(Sv(a).data(), s.data());
  EXPECT_EQ(absl::StrCat("<", Av(s), ">"), "<abc>");
}

TEST(Text, CatTakesBothStringViewsAndIntegers) {
  const absl::Status st = absl::InvalidArgumentError("bad");
  EXPECT_EQ(text::Cat("a", std::string_view("b"), st.message(), 42, -1, uint16_t{7}), "abbad42-17");
  std::string s = "x";
  text::Append(&s, "-", 1);
  EXPECT_EQ(s, "x-1");
}

TEST(Text, JoinAndSplit) {
  EXPECT_EQ(text::Join(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(text::Join(std::vector<std::string>{}, ","), "");
  EXPECT_EQ(text::Split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(text::Split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(text::Split("a,", ','), (std::vector<std::string_view>{"a", ""}));
}

}  // namespace
}  // namespace pvland
