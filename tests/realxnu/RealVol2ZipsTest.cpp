// Optional cross-check (`ctest -L realxnu`): imports the six real Volatility 2 mac
// profile zips from XNUSCOPE_REAL_XNU (../shared/real-xnu, a development folder that
// is not part of the repository) and checks the model against the facts in its
// LAYOUTS.md, and that the project's xnu_profiles/ and symbols/ regenerate from them
// byte for byte. Without the folder every test here reports itself skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "RealVol2Zips.h"
#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/Vol2ProfileImporter.h"
#include "profile/WalkerRequirements.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

std::string zipPath(const std::string& name) { return test::realXnuDir() + "/" + name; }

TEST_F(RealVol2Zips, HighSierra17G65MatchesLayoutsMd) {
  const auto imported = importVol2Profile(zipPath("HighSierra_10.13.6_17G65.zip"), {});
  const Profile& p = imported.profile;
  EXPECT_EQ(p.name, "HighSierra_10.13.6_17G65");
  EXPECT_EQ(p.macos, "10.13.6");
  EXPECT_EQ(p.build, "17G65");
  EXPECT_EQ(p.structure("proc").size, 0x490u);
  EXPECT_EQ(p.structure("task").size, 0x5d8u);
  EXPECT_EQ(p.offset("proc", "p_comm"), 0x2e0u);
  EXPECT_EQ(p.offset("proc", "task"), 0x18u);
  EXPECT_EQ(p.offset("_vm_map", "pmap"), 0x48u);
  EXPECT_EQ(p.offset("ucred", "cr_posix.cr_uid"), 0x18u);
  EXPECT_EQ(p.offset("proc", "p_list.le_next"), 0u);
  EXPECT_EQ(p.offset("proc", "p_list.le_prev"), 8u);
  // The split byte bitfield is normalised to the 32-bit word at 0x48.
  const Field& maxProtection = p.field("vm_map_entry", "max_protection");
  EXPECT_EQ(maxProtection.offset, 0x48u);
  ASSERT_TRUE(maxProtection.bits);
  EXPECT_EQ(maxProtection.bits->start, 10u);
  EXPECT_EQ(maxProtection.bits->count, 3u);
  const Field& inheritance = p.field("vm_map_entry", "inheritance");
  EXPECT_EQ(inheritance.offset, 0x48u);
  EXPECT_EQ(inheritance.bits->start, 13u);
  EXPECT_EQ(inheritance.bits->count, 2u);
  EXPECT_EQ(p.field("vm_map_entry", "iokit_acct").bits->start, 23u);
  // Arrays lost their counts in the 10.11+ vtypes.
  EXPECT_EQ(p.field("proc", "p_comm").elementCount, 0u);
  EXPECT_EQ(p.field("proc", "p_comm").type, "char[]");
  EXPECT_EQ(p.requireSymbol("_allproc"), 0xffffff8000c159b8ull);
  EXPECT_EQ(p.requireSymbol("__mh_execute_header"), 0xffffff8000200000ull);
  // 17G65 was made from the stripped kernel: no local _sysent.
  EXPECT_FALSE(p.symbol("_sysent"));
  EXPECT_FALSE(p.uuid);
  EXPECT_EQ(p.provenance.sha256,
            "1555f7fe4b59b84b19d7d049a4c4c9e38f907704fa7becf03781353dfbc3b989");
}

TEST_F(RealVol2Zips, Mavericks13F34KeepsArrayCountsAndSkipsDebugMap) {
  const auto imported = importVol2Profile(zipPath("Mavericks_10.9.5_13f34.zip"), {});
  const Profile& p = imported.profile;
  EXPECT_EQ(p.name, "Mavericks_10.9.5_13F34");
  EXPECT_EQ(p.field("proc", "p_comm").elementCount, 17u);
  EXPECT_EQ(p.field("proc", "p_comm").type, "char[17]");
  EXPECT_EQ(p.field("proc", "p_name").elementCount, 33u);
  EXPECT_EQ(p.offset("proc", "p_ucred"), 0xd8u);
  EXPECT_EQ(p.field("vm_map_entry", "alias").bits->start, 16u);
  EXPECT_EQ(p.field("vm_map_entry", "alias").bits->count, 8u);
  EXPECT_EQ(p.requireSymbol("_sysent"), 0xffffff8000861640ull);
  EXPECT_EQ(p.requireSymbol("_allproc"), 0xffffff80008fddc8ull);
  // N_FUN/N_SO debug-map entries carry value 0 and must not become symbols.
  for (const auto& symbol : imported.symbolTable.symbols()) {
    ASSERT_NE(symbol.address, 0u) << symbol.name;
  }
  const auto match = imported.symbolTable.containing(0xffffff80008fddc8ull + 4);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->symbol->name, "_allproc");
  EXPECT_EQ(match->offset, 4u);
}

TEST_F(RealVol2Zips, EveryRealBuildHasTheWalkerBasics) {
  const std::vector<std::pair<std::string, std::uint64_t>> builds = {
      {"Mavericks_10.9.5_13f34.zip", 0x2f0},    {"Yosemite_10.10.5_14F27.zip", 0x300},
      {"ElCapitan_10.11.6_15G1212.zip", 0x318}, {"Sierra_10.12.6_16G29.zip", 0x380},
      {"HighSierra_10.13.1_17B48.zip", 0x390},  {"HighSierra_10.13.6_17G65.zip", 0x390}};
  for (const auto& [zip, bsdInfo] : builds) {
    SCOPED_TRACE(zip);
    const Profile compact = compactForWalkers(importVol2Profile(zipPath(zip), {}).profile);
    EXPECT_EQ(compact.offset("task", "bsd_info"), bsdInfo);
    EXPECT_EQ(compact.offset("task", "map"), 0x20u);
    EXPECT_EQ(compact.offset("_vm_map", "hdr"), 0x10u);
    EXPECT_EQ(compact.structure("vm_map_entry").size, 0x50u);
    EXPECT_EQ(compact.offset("kmod_info", "address"), 0x9cu);
    EXPECT_TRUE(compact.hasField("pmap", "pm_cr3"));
    EXPECT_TRUE(compact.hasField("msgbuf", "msg_bufc"));
    EXPECT_EQ(compact.requireSymbol("_BootPML4"), 0xffffff8000100000ull);
    EXPECT_EQ(compact.field("vm_map_entry", "protection").bits->start, 7u);
    EXPECT_EQ(compact.field("vm_map_entry", "max_protection").bits->start, 10u);
    // The compact profile still resolves nested paths.
    EXPECT_EQ(compact.offset("ucred", "cr_posix.cr_uid"), 0x18u);
    EXPECT_EQ(compact.offset("_vm_map", "hdr.nentries"), 0x30u);
  }
}

}  // namespace
}  // namespace xnuscope
