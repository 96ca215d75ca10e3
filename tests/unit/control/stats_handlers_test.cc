// stats show | clear through the dispatcher: clearing one port leaves the others' counters.
#include <gtest/gtest.h>

#include "tests/unit/control/control_fixture.h"

namespace pvland::testing {
namespace {

class StatsHandlersTest : public ControlFixture {
 protected:
  void Count(const std::string& name, uint64_t n) {
    PortCounters& c = Port(name).counters;
    c.rx_packets = n;
    c.rx_bytes = 64 * n;
    c.tx_packets = 2 * n;
    c.tx_bytes = 128 * n;
    c.drops[static_cast<int>(DropReason::kVlanNotMember)] = n;
  }
};

TEST_F(StatsHandlersTest, ClearingOnePortLeavesTheOthers) {
  AddPort("p1");
  AddPort("p2");
  Count("p1", 5);
  Count("p2", 7);
  ASSERT_TRUE(Run("stats clear p1").ok());
  EXPECT_EQ(Port("p1").counters.rx_packets, 0u);
  EXPECT_EQ(Port("p1").counters.tx_bytes, 0u);
  EXPECT_EQ(Port("p1").counters.drops[static_cast<int>(DropReason::kVlanNotMember)], 0u);
  EXPECT_EQ(Port("p2").counters.rx_packets, 7u);
  EXPECT_EQ(Port("p2").counters.tx_bytes, 128u * 7);
  EXPECT_EQ(Port("p2").counters.drops[static_cast<int>(DropReason::kVlanNotMember)], 7u);
}

TEST_F(StatsHandlersTest, ClearingAllClearsEveryPort) {
  AddPort("p1");
  AddPort("p2");
  Count("p1", 5);
  Count("p2", 7);
  ASSERT_TRUE(Run("stats clear").ok());
  EXPECT_EQ(Port("p1").counters.rx_packets, 0u);
  EXPECT_EQ(Port("p2").counters.rx_packets, 0u);
}

TEST_F(StatsHandlersTest, ClearingAnUnknownPortClearsNothing) {
  AddPort("p1");
  Count("p1", 5);
  EXPECT_EQ(Run("stats clear nosuch").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Port("p1").counters.rx_packets, 5u);
}

TEST_F(StatsHandlersTest, ShowReportsThePortsCounters) {
  AddPort("p1");
  AddPort("p2");
  Count("p2", 3);
  auto msgs = Exchange(Request("stats show p2"));
  ASSERT_EQ(msgs.size(), 2u);
  auto a = msgs[0].Attrs();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a->String(PVL_A_NAME), "p2");
  EXPECT_EQ(*a->U64(PVL_A_RX_PACKETS), 3u);
  EXPECT_EQ(*a->U64(PVL_A_TX_BYTES), 384u);
}

}  // namespace
}  // namespace pvland::testing
