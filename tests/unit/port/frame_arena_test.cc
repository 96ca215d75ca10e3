// The receive arena for frames larger than a ring slot: packing, the end-of-batch signal,
// and allocation on first use only.
#include "daemon/port/frame_arena.h"

#include <gtest/gtest.h>

namespace pvland {
namespace {

TEST(FrameArenaTest, PacksFramesAlignedAndEndsTheBatchWhenAFullReadNoLongerFits) {
  FrameArena arena(2 * FrameArena::kMaxRead);
  uint8_t* a = arena.Reserve();
  ASSERT_NE(a, nullptr);
  arena.Commit(100);
  uint8_t* b = arena.Reserve();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b - a, 128) << "100 bytes rounded up to the next 64";
  arena.Commit(FrameArena::kMaxRead);  // a super-frame filled its read
  EXPECT_EQ(arena.Reserve(), nullptr) << "no room for another read of kMaxRead";
  arena.Reset();
  EXPECT_EQ(arena.Reserve(), a) << "the batch is done: the same memory again";
}

TEST(FrameArenaTest, SmallFramesFillABatchInAnArenaOfEightSuperFrames) {
  FrameArena arena(8 * FrameArena::kMaxRead);
  int frames = 0;
  while (uint8_t* p = arena.Reserve()) {
    p[0] = 1;
    arena.Commit(1514);
    if (++frames == 1000) break;
  }
  EXPECT_GE(frames, 32) << "a whole batch of MTU frames fits";
}

}  // namespace
}  // namespace pvland
