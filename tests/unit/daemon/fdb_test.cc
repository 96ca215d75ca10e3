#include "daemon/bridge/fdb.h"

#include <gtest/gtest.h>

namespace pvland {
namespace {

const uint8_t kA[6] = {2, 0, 0, 0, 0, 0xa};
const uint8_t kB[6] = {2, 0, 0, 0, 0, 0xb};

TEST(FdbTest, LearnLookupAndMove) {
  Fdb fdb;
  FakeClock clock;
  fdb.Learn(1, 1, kA, 3, clock.Now());
  ASSERT_NE(fdb.Lookup(1, kA), nullptr);
  EXPECT_EQ(fdb.Lookup(1, kA)->port, 3);
  EXPECT_EQ(fdb.Lookup(2, kA), nullptr) << "domains are separate";
  fdb.Learn(1, 1, kA, 4, clock.Now());
  EXPECT_EQ(fdb.Lookup(1, kA)->port, 4) << "a station that moved is followed";
}

TEST(FdbTest, AgingWithAControlledClock) {
  Fdb fdb;
  FakeClock clock;
  fdb.Learn(1, 1, kA, 1, clock.Now());
  clock.Advance(200 * kNsPerSec);
  fdb.Learn(1, 1, kB, 1, clock.Now());
  clock.Advance(100 * kNsPerSec);  // A: 300 s old, B: 100 s
  EXPECT_EQ(fdb.Age(clock.Now(), 300 * kNsPerSec), 1u);
  EXPECT_EQ(fdb.Lookup(1, kA), nullptr);
  EXPECT_NE(fdb.Lookup(1, kB), nullptr);
  clock.Advance(199 * kNsPerSec);
  EXPECT_EQ(fdb.Age(clock.Now(), 300 * kNsPerSec), 0u) << "B is 299 s old";
  fdb.Learn(1, 1, kB, 1, clock.Now());  // refreshed
  clock.Advance(2 * kNsPerSec);
  EXPECT_EQ(fdb.Age(clock.Now(), 300 * kNsPerSec), 0u);
}

TEST(FdbTest, StaticEntriesNeitherAgeNorMove) {
  Fdb fdb;
  FakeClock clock;
  fdb.AddStatic(1, 1, ToMac(kA), 7);
  fdb.Learn(1, 1, kA, 2, clock.Now());
  EXPECT_EQ(fdb.Lookup(1, kA)->port, 7);
  clock.Advance(10000 * kNsPerSec);
  EXPECT_EQ(fdb.Age(clock.Now(), kNsPerSec), 0u);
  EXPECT_TRUE(fdb.Lookup(1, kA)->is_static);
}

TEST(FdbTest, FullTableRefusesNewAddressesButKeepsOld) {
  Fdb fdb(1);
  FakeClock clock;
  fdb.Learn(1, 1, kA, 1, clock.Now());
  fdb.Learn(1, 1, kB, 1, clock.Now());
  EXPECT_EQ(fdb.size(), 1u);
  EXPECT_EQ(fdb.learn_refused(), 1u);
  EXPECT_NE(fdb.Lookup(1, kA), nullptr);
}

TEST(FdbTest, FlushByPredicate) {
  Fdb fdb;
  FakeClock clock;
  fdb.Learn(1, 1, kA, 1, clock.Now());
  fdb.Learn(1, 1, kB, 2, clock.Now());
  fdb.AddStatic(5, 5, ToMac(kA), 1);
  EXPECT_EQ(fdb.RemoveIf([](const FdbKey&, const FdbEntry& e) { return e.port == 1 && !e.is_static; }), 1u);
  EXPECT_EQ(fdb.size(), 2u);
}

}  // namespace
}  // namespace pvland
