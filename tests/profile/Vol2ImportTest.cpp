// The Volatility 2 importer on a lone clone: the forge writes a Vol2 mac profile zip
// (vtypes as a Python literal + a `dsymutil -s` listing) from the project's own
// xnu_profiles/ and symbols/, and importing it must give back the committed profile
// and symbol table. The real zips are an optional cross-check (tests/realxnu).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ProfileDiff.h"
#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileSymbolTable.h"
#include "profile/Vol2ProfileImporter.h"
#include "profile/WalkerRequirements.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

Profile committedProfile(const std::string& build) {
  const std::string path = test::sourceDir() + "/xnu_profiles/" + build + ".json";
  return readNativeProfile(readWholeFile(path, "profile"), path);
}

TEST(Vol2Import, ForgeWrittenZipsOfEveryBuildImportToTheCommittedProfiles) {
  for (const auto& build : test::realBuilds()) {
    SCOPED_TRACE(build);
    const Profile committed = committedProfile(build);
    const auto imported = importVol2Profile(test::forgeVol2Zip(build), {committed.banner, ""});
    EXPECT_EQ(imported.profile.name, build);
    EXPECT_EQ(imported.profile.build, committed.build);
    EXPECT_EQ(imported.profile.macos, committed.macos);
    Profile compact = compactForWalkers(imported.profile);
    // Provenance names the file imported; everything else must be the same.
    compact.provenance = committed.provenance;
    EXPECT_TRUE(test::sameProfile(compact, committed));
    const ProfileSymbolTable symbols =
        ProfileSymbolTable::load(test::sourceDir() + "/symbols/" + build + ".txt.xz");
    EXPECT_EQ(imported.symbolTable.size(), symbols.size());
    EXPECT_EQ(imported.symbolTable.symbols(), symbols.symbols());
  }
}

TEST(Vol2Import, KeepsNTypeAndNSectOfEverySymbol) {
  const auto imported = importVol2Profile(test::forgeVol2Zip("Mavericks_10.9.5_13F34"), {});
  std::size_t locals = 0, privateExternals = 0;
  for (const auto& symbol : imported.symbolTable.symbols()) {
    EXPECT_NE(symbol.section, 0u) << symbol.name;
    EXPECT_EQ(symbol.type & 0x0e, 0x0e) << symbol.name;  // N_SECT
    EXPECT_EQ(symbol.external, (symbol.type & 0x01) != 0) << symbol.name;
    locals += !symbol.external;
    privateExternals += (symbol.type & 0x10) != 0;
  }
  // 10.9.5's table has local and private-extern (PEXT) symbols besides the externals.
  EXPECT_GT(locals, 1000u);
  EXPECT_GT(privateExternals, 100u);
}

TEST(Vol2Import, MissingFieldErrorNamesProfileStructAndField) {
  const Profile p = importVol2Profile(test::forgeVol2Zip("Sierra_10.12.6_16G29"), {}).profile;
  try {
    p.offset("proc", "p_no_such_field");
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("Sierra_10.12.6_16G29"), std::string::npos) << message;
    EXPECT_NE(message.find("p_no_such_field"), std::string::npos) << message;
  }
  EXPECT_THROW(p.structure("no_such_struct"), AnalysisError);
  EXPECT_THROW(p.requireSymbol("_no_such_symbol"), AnalysisError);
}

TEST(Vol2Import, NotAZipIsAClearInputError) {
  const std::string path = test::scratchDir() + "/bogus.zip";
  { std::ofstream(path) << "not a zip at all, but long enough to look for a directory"; }
  try {
    importVol2Profile(path, {});
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("zip"), std::string::npos) << error.what();
  }
  EXPECT_THROW(importVol2Profile(test::scratchDir() + "/missing.zip", {}), InputError);
}

}  // namespace
}  // namespace xnuscope
