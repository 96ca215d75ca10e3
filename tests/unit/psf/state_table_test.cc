// Every cell of conntrack's TCP state table, and the flag sanity check.
//
// Expected values transcribed from tcp_conntracks[][][] and tcp_valid_flags[] in
// net/netfilter/nf_conntrack_proto_tcp.c of mainline v6.17-rc4 (read from a mirror,
// Kingxukai/linux at 9b44fff655e2c6f4cc53cb499dd2c038e99cb013). Since v5.x the ORIGINAL
// SYN-ACK row marks ESTABLISHED..CLOSE invalid (it was "ignore" in 2.6-era kernels) and the
// REPLY SYN in TIME_WAIT reopens (sSS); both are checked here.
#include <string>

#include "daemon/psf/tcp_conntrack.h"
#include "gtest/gtest.h"

namespace pvland::psf {
namespace {

// Columns: sNO sSS sSR sES sFW sCW sLA sTW sCL sS2. "IV" invalid, "IG" ignore.
const char* const kExpected[2][6][10] = {
    {
        // ORIGINAL
        {"SS", "SS", "IG", "IG", "IG", "IG", "IG", "SS", "SS", "S2"},  // syn
        {"IV", "IV", "SR", "IV", "IV", "IV", "IV", "IV", "IV", "SR"},  // synack
        {"IV", "IV", "FW", "FW", "LA", "LA", "LA", "TW", "CL", "IV"},  // fin
        {"ES", "IV", "ES", "ES", "CW", "CW", "TW", "TW", "CL", "IV"},  // ack
        {"IV", "CL", "CL", "CL", "CL", "CL", "CL", "CL", "CL", "CL"},  // rst
        {"IV", "IV", "IV", "IV", "IV", "IV", "IV", "IV", "IV", "IV"},  // none
    },
    {
        // REPLY
        {"IV", "S2", "IV", "IV", "IV", "IV", "IV", "SS", "IV", "S2"},  // syn
        {"IV", "SR", "IG", "IG", "IG", "IG", "IG", "IG", "IG", "SR"},  // synack
        {"IV", "IV", "FW", "FW", "LA", "LA", "LA", "TW", "CL", "IV"},  // fin
        {"IV", "IG", "SR", "ES", "CW", "CW", "TW", "TW", "CL", "IG"},  // ack
        {"IV", "CL", "CL", "CL", "CL", "CL", "CL", "CL", "CL", "CL"},  // rst
        {"IV", "IV", "IV", "IV", "IV", "IV", "IV", "IV", "IV", "IV"},  // none
    },
};

std::string Short(TableCell c) {
  if (c.kind == TableCell::kInvalid) return "IV";
  if (c.kind == TableCell::kIgnore) return "IG";
  static const char* const kShort[] = {"NO", "SS", "SR", "ES", "FW", "CW", "LA", "TW", "CL", "S2"};
  return kShort[static_cast<int>(c.state)];
}

TEST(PsfStateTable, EveryCellMatchesTheKernel) {
  int checked = 0;
  for (int d = 0; d < 2; ++d) {
    for (int c = 0; c < kTcpClassCount; ++c) {
      for (int s = 0; s < kTcpStateCount; ++s) {
        const TableCell cell =
            Transition(static_cast<CtDir>(d), static_cast<TcpClass>(c), static_cast<TcpState>(s));
        EXPECT_EQ(Short(cell), kExpected[d][c][s])
            << (d == 0 ? "ORIGINAL " : "REPLY ") << TcpClassName(static_cast<TcpClass>(c)) << " in "
            << TcpStateName(static_cast<TcpState>(s));
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 120);
}

TEST(PsfStateTable, ClassPriorityIsRstSynFinAck) {
  EXPECT_EQ(ClassOf(kTcpRst | kTcpSyn | kTcpFin | kTcpAck), TcpClass::kRst);
  EXPECT_EQ(ClassOf(kTcpSyn | kTcpFin), TcpClass::kSyn);
  EXPECT_EQ(ClassOf(kTcpSyn | kTcpAck | kTcpFin), TcpClass::kSynAck);
  EXPECT_EQ(ClassOf(kTcpFin | kTcpAck), TcpClass::kFin);
  EXPECT_EQ(ClassOf(kTcpFin), TcpClass::kFin);
  EXPECT_EQ(ClassOf(kTcpAck | kTcpPsh), TcpClass::kAck);
  EXPECT_EQ(ClassOf(kTcpPsh | kTcpUrg), TcpClass::kNone);
  EXPECT_EQ(ClassOf(0), TcpClass::kNone);
}

TEST(PsfFlagSanity, OnlyTheKernelsNineCombinationsPass) {
  // tcp_valid_flags: indexed by FIN|SYN|RST|ACK|URG; PSH, ECE and CWR never matter.
  const uint8_t valid[] = {
      kTcpSyn,           kTcpSyn | kTcpUrg, kTcpSyn | kTcpAck,           kTcpRst,          kTcpRst | kTcpAck,
      kTcpFin | kTcpAck, kTcpFin | kTcpAck | kTcpUrg, kTcpAck, kTcpAck | kTcpUrg,
  };
  int passed = 0;
  for (int f = 0; f < 256; ++f) {
    const uint8_t core = static_cast<uint8_t>(f & (kTcpFin | kTcpSyn | kTcpRst | kTcpAck | kTcpUrg));
    bool expect = false;
    for (uint8_t v : valid) expect = expect || core == v;
    EXPECT_EQ(ValidTcpFlags(static_cast<uint8_t>(f)), expect) << "flags 0x" << std::hex << f;
    passed += ValidTcpFlags(static_cast<uint8_t>(f)) ? 1 : 0;
  }
  EXPECT_EQ(passed, 9 * 8);  // nine combinations, each with any PSH/ECE/CWR
  EXPECT_FALSE(ValidTcpFlags(0));                        // NULL scan
  EXPECT_FALSE(ValidTcpFlags(kTcpFin));                  // FIN without ACK
  EXPECT_FALSE(ValidTcpFlags(kTcpSyn | kTcpFin));        // SYN+FIN
  EXPECT_FALSE(ValidTcpFlags(kTcpSyn | kTcpRst));        // SYN+RST
  EXPECT_FALSE(ValidTcpFlags(kTcpFin | kTcpPsh | kTcpUrg));  // XMAS
  EXPECT_TRUE(ValidTcpFlags(kTcpAck | kTcpPsh | kTcpEce | kTcpCwr));
}

TEST(PsfStateTable, NamesAreConntracks) {
  EXPECT_EQ(TcpStateName(TcpState::kSynSent2), "SYN_SENT2");
  EXPECT_EQ(TcpStateName(TcpState::kTimeWait), "TIME_WAIT");
  EXPECT_EQ(ReasonName(Reason::kNoState), "psf_no_state");
  EXPECT_EQ(ReasonName(Reason::kTableFull), "psf_table_full");
}

}  // namespace
}  // namespace pvland::psf
