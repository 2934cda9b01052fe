#include <gtest/gtest.h>

#include "SyntheticXnuGuest.h"
#include "xnu/VmMapWalker.h"

namespace xnuscope::test {
namespace {

const std::vector<SyntheticMapEntry> kEntries = {
    {0x100000000, 0x100004000, 5, 7, 1, 0, false, 0xffffff8020700000, 0},
    {0x100004000, 0x100006000, 3, 7, 1, 0, false, 0xffffff8020700040, 0x4000},
    {0x7f8000000000, 0x7f8000100000, 3, 7, 1, 2, false, 0xffffff8020700080, 0},
    {0x7fff00000000, 0x7fffffe00000, 5, 5, 0, 0, true, 0xffffff80207000c0, 0},
    {0x7fffffe00000, 0x7fffffe01000, 1, 1, 0, 0, false, 0, 0},
};

bool mentions(const WalkStatus& status, const std::string& text) {
  for (const auto& w : status.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

void expectEntriesMatch(const VmMapListing& listing) {
  ASSERT_EQ(listing.entries.size(), kEntries.size());
  for (std::size_t i = 0; i < kEntries.size(); ++i) {
    const auto& got = listing.entries[i];
    const auto& want = kEntries[i];
    EXPECT_EQ(got.start, want.start) << i;
    EXPECT_EQ(got.end, want.end) << i;
    EXPECT_EQ(got.protection, want.prot) << i;
    EXPECT_EQ(got.maxProtection, want.maxprot) << i;
    EXPECT_EQ(got.inheritance, want.inheritance) << i;
    EXPECT_EQ(got.tag, want.tag) << i;
    EXPECT_EQ(got.isSubmap, want.submap) << i;
    EXPECT_EQ(got.object, want.object) << i;
    EXPECT_EQ(got.offset, want.offset) << i;
  }
}

TEST(VmMapWalkerTest, DecodesEveryFieldOfHighSierraEntries) {
  SyntheticXnuGuest guest;
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0, 0, 0xabc000);
  guest.setMapEntries(proc.map, kEntries);
  const VmMapListing listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
  EXPECT_EQ(listing.declaredEntries, 5);
  EXPECT_EQ(listing.pmapCr3, 0xabc000u);
  expectEntriesMatch(listing);
  EXPECT_EQ(protectionLetters(listing.entries[0].protection), "r-x");
  EXPECT_EQ(protectionLetters(listing.entries[0].maxProtection), "rwx");
  EXPECT_EQ(inheritanceName(listing.entries[3].inheritance), "share");
  EXPECT_EQ(listing.totalSize(), 0x4000u + 0x2000 + 0x100000 + 0xffe00000 + 0x1000);
}

TEST(VmMapWalkerTest, DecodesVenturaPackedObjectsAndFourBitProtections) {
  SyntheticXnuGuest guest(venturaLayout());
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0);
  auto entries = kEntries;
  entries[0].prot = 0xd;  // r-x plus UEXEC (bit 3) on 12+
  guest.setMapEntries(proc.map, entries);
  const VmMapListing listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_TRUE(listing.status.complete);
  ASSERT_EQ(listing.entries.size(), 5u);
  EXPECT_EQ(protectionLetters(listing.entries[0].protection), "r-x");
  EXPECT_EQ(listing.entries[1].object, kEntries[1].object);
  EXPECT_EQ(listing.entries[3].object, kEntries[3].object);  // submap pointer
  EXPECT_TRUE(listing.entries[3].isSubmap);
  EXPECT_EQ(listing.entries[4].object, 0u);
}

TEST(VmMapWalkerTest, TagFromAliasBitsOnMavericks) {
  XnuLayout layout = highSierraLayout();
  layout.tagLocation = VmTagLocation::AliasBits;
  layout.entryAlias = XnuBitRange{0x48, 16, 8};
  SyntheticXnuGuest guest(layout);
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0);
  const auto addresses =
      guest.setMapEntries(proc.map, {{0x1000, 0x3000, 3, 7, 1, 0, false, 0, 0x5000}});
  guest.writeBits(addresses[0], *layout.entryAlias, 30);
  const VmMapListing listing = VmMapWalker(guest.kernel()).walk(proc.map);
  ASSERT_EQ(listing.entries.size(), 1u);
  EXPECT_EQ(listing.entries[0].tag, 30u);
  EXPECT_EQ(listing.entries[0].offset, 0x5000u);
}

TEST(VmMapWalkerTest, CycleBeforeTheHeaderIsFlagged) {
  SyntheticXnuGuest guest;
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0);
  const auto addresses = guest.setMapEntries(proc.map, kEntries);
  guest.writeU64(addresses[3] + guest.layout().linksNext, addresses[1]);
  const VmMapListing listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "cycle"));
  EXPECT_EQ(listing.entries.size(), 4u);
}

TEST(VmMapWalkerTest, PoisonAndUnmappedLinksEndTheWalk) {
  SyntheticXnuGuest guest;
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0);
  const auto addresses = guest.setMapEntries(proc.map, kEntries);
  guest.writeU64(addresses[1] + guest.layout().linksNext, kXnuPoison);
  VmMapListing listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "poison"));
  EXPECT_EQ(listing.entries.size(), 2u);

  guest.writeU64(addresses[1] + guest.layout().linksNext, SyntheticXnuGuest::kUnmappedVa);
  listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "unreadable"));
}

TEST(VmMapWalkerTest, EntryCountDisagreeingWithHeaderIsFlagged) {
  SyntheticXnuGuest guest;
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0);
  guest.setMapEntries(proc.map, kEntries);
  guest.writeU32(proc.map + guest.layout().mapNentries, 9);
  const VmMapListing listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "nentries"));
  EXPECT_EQ(listing.entries.size(), 5u);
}

TEST(VmMapWalkerTest, ImplausibleRangeAndCapStopTheWalk) {
  SyntheticXnuGuest guest;
  const auto proc = guest.addProcess(1, 0, "launchd", "", 0);
  const auto addresses = guest.setMapEntries(proc.map, kEntries);
  VmMapListing listing = VmMapWalker(guest.kernel(), {.maxEntries = 2}).walk(proc.map);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_EQ(listing.entries.size(), 2u);

  guest.writeU64(addresses[2] + guest.layout().linksEnd, 0x10);
  listing = VmMapWalker(guest.kernel()).walk(proc.map);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "implausible range"));
  EXPECT_EQ(listing.entries.size(), 2u);
}

TEST(VmMapWalkerTest, NonKernelMapPointerIsRefused) {
  SyntheticXnuGuest guest;
  const VmMapListing listing = VmMapWalker(guest.kernel()).walk(0x1000);
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(listing.entries.empty());
}

}  // namespace
}  // namespace xnuscope::test
