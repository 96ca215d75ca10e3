// The virtio-net header as pvland carries it: layout and the offset shift for tags.
#include "daemon/packet/offload.h"

#include <gtest/gtest.h>

#include <cstddef>

namespace pvland {
namespace {

TEST(OffloadTest, LayoutIsTheKernelsVirtioNetHdr) {
  EXPECT_EQ(offsetof(Offload, flags), 0u);
  EXPECT_EQ(offsetof(Offload, gso_type), 1u);
  EXPECT_EQ(offsetof(Offload, hdr_len), 2u);
  EXPECT_EQ(offsetof(Offload, gso_size), 4u);
  EXPECT_EQ(offsetof(Offload, csum_start), 6u);
  EXPECT_EQ(offsetof(Offload, csum_offset), 8u);
}

TEST(OffloadTest, ShiftMovesOnlyOffsetsThatAreSet) {
  Offload partial;
  partial.flags = kVnetNeedsCsum;
  partial.csum_start = 34;
  partial.csum_offset = 6;
  const Offload tagged = partial.Shifted(4);
  EXPECT_EQ(tagged.csum_start, 38);
  EXPECT_EQ(tagged.csum_offset, 6) << "relative to csum_start: does not move";
  EXPECT_EQ(tagged.hdr_len, 0) << "0 means 'not given' and stays so";
  EXPECT_EQ(tagged.Shifted(-4).csum_start, 34);

  Offload valid;  // DATA_VALID only: no offsets to move
  valid.flags = kVnetDataValid;
  valid.csum_start = 34;
  EXPECT_EQ(valid.Shifted(4).csum_start, 34);
  EXPECT_FALSE(valid.needs_csum());
  EXPECT_FALSE(valid.is_gso());

  Offload gso;
  gso.gso_type = kVnetGsoTcpV6 | kVnetGsoEcn;
  gso.hdr_len = 74;
  EXPECT_TRUE(gso.is_gso());
  EXPECT_EQ(gso.Shifted(-4).hdr_len, 70);
  Offload ecn_only;
  ecn_only.gso_type = kVnetGsoEcn;
  EXPECT_FALSE(ecn_only.is_gso());
}

}  // namespace
}  // namespace pvland
