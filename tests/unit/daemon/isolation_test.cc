// The private-VLAN / isolated-port matrix of docs/drop-reasons.md §3, cell by cell.
#include "daemon/bridge/isolation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace pvland {
namespace {

constexpr uint16_t kCommunityA = 102, kCommunityB = 103;

const std::map<std::string, IsolationPeer>& Peers() {
  static const auto* peers = new std::map<std::string, IsolationPeer>{
      {"P", {false, false, false, PvlanRole::kPromiscuous, 100}},
      {"P*", {false, true, false, PvlanRole::kPromiscuous, 100}},
      {"I", {false, false, false, PvlanRole::kIsolated, 101}},
      {"I*", {false, true, false, PvlanRole::kIsolated, 101}},
      {"Ca", {false, false, false, PvlanRole::kCommunity, kCommunityA}},
      {"Ca*", {false, true, false, PvlanRole::kCommunity, kCommunityA}},
      {"Cb", {false, false, false, PvlanRole::kCommunity, kCommunityB}},
      {"H", {true, false, false, PvlanRole::kPromiscuous, 100}},
  };
  return *peers;
}

// '.' deliver, 'i' isolated_port, 'p' pvlan_isolation. Columns: P P* I I* Ca Ca* Cb H.
const char* const kColumns[] = {"P", "P*", "I", "I*", "Ca", "Ca*", "Cb", "H"};
const std::map<std::string, std::string> kMatrix = {
    {"P", "........"},   {"P*", ".i.i.i.."}, {"I", "..ppppp."},  {"I*", ".ipipip."},
    {"Ca", "..pp..p."}, {"Ca*", ".ipi.ip."}, {"Cb", "..pppp.."}, {"H", "........"},
};

TEST(IsolationTest, PolicyMatrixCellByCell) {
  for (const auto& [src, row] : kMatrix) {
    ASSERT_EQ(row.size(), 8u);
    for (int c = 0; c < 8; ++c) {
      const auto verdict = IsolationVerdict(Peers().at(src), Peers().at(kColumns[c]));
      const char got = !verdict ? '.' : *verdict == DropReason::kIsolatedPort ? 'i' : 'p';
      EXPECT_EQ(got, row[c]) << src << " -> " << kColumns[c];
    }
  }
}

TEST(IsolationTest, TrunkDestinationCarriesEveryRole) {
  IsolationPeer trunk{false, false, true, PvlanRole::kNone, 0};
  for (const auto& [name, peer] : Peers()) EXPECT_EQ(IsolationVerdict(peer, trunk), std::nullopt) << name;
  IsolationPeer isolated_trunk{false, true, true, PvlanRole::kNone, 0};
  EXPECT_EQ(IsolationVerdict(Peers().at("I*"), isolated_trunk), DropReason::kIsolatedPort)
      << "the isolated flag still applies to trunks";
}

TEST(IsolationTest, PlainVlanPortsFollowOnlyTheIsolatedFlag) {
  IsolationPeer a{false, false, false, PvlanRole::kNone, 1};
  IsolationPeer a_iso{false, true, false, PvlanRole::kNone, 1};
  EXPECT_EQ(IsolationVerdict(a, a), std::nullopt);
  EXPECT_EQ(IsolationVerdict(a_iso, a), std::nullopt);
  EXPECT_EQ(IsolationVerdict(a, a_iso), std::nullopt);
  EXPECT_EQ(IsolationVerdict(a_iso, a_iso), DropReason::kIsolatedPort);
}

}  // namespace
}  // namespace pvland
