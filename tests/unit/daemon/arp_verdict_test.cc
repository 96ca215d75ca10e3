// The ARP verdict list: stable names, looked up by the reason an ArpDecision carries.
#include <gtest/gtest.h>

#include <string>

#include "daemon/packet/drop_reason.h"

namespace pvland {
namespace {

TEST(ArpVerdictTest, EveryNameMapsBackToItsVerdict) {
  for (int v = 0; v < kArpVerdictCount; ++v) {
    const auto verdict = static_cast<ArpVerdict>(v);
    EXPECT_EQ(ArpVerdictByName(ArpVerdictName(verdict)), verdict) << ArpVerdictName(verdict);
  }
}

TEST(ArpVerdictTest, NamesAreSortedSnakeCaseAndUnique) {
  for (int v = 1; v < kArpVerdictCount; ++v) {
    EXPECT_LT(ArpVerdictName(static_cast<ArpVerdict>(v - 1)), ArpVerdictName(static_cast<ArpVerdict>(v)));
  }
  for (int v = 0; v < kArpVerdictCount; ++v) {
    for (char c : ArpVerdictName(static_cast<ArpVerdict>(v))) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_');
  }
}

TEST(ArpVerdictTest, StableNamesTestsAndScriptsRelyOn) {
  EXPECT_EQ(ArpVerdictName(ArpVerdict::kLocalReply), "local_reply");
  EXPECT_EQ(ArpVerdictName(ArpVerdict::kProxyReply), "proxy_reply");
  EXPECT_EQ(ArpVerdictName(ArpVerdict::kProxyDelayed), "proxy_delayed");
  EXPECT_EQ(ArpVerdictName(ArpVerdict::kProxyQueuePurged), "proxy_queue_purged");
  EXPECT_EQ(ArpVerdictName(ArpVerdict::kArpTruncated), "arp_truncated");
  EXPECT_EQ(ArpVerdictByName("no_such_verdict"), std::nullopt);
  EXPECT_EQ(ArpVerdictByName(""), std::nullopt);
}

}  // namespace
}  // namespace pvland
