// The native profile format and symbol tables: byte-identical round trips of the
// committed xnu_profiles/ and symbols/, and clear errors for bad files. (Their
// regeneration from the real Volatility 2 zips is the optional tests/realxnu check.)
#include <gtest/gtest.h>

#include <filesystem>

#include "ProfileDiff.h"
#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileOutputs.h"
#include "profile/ProfileSymbolTable.h"
#include "profile/Vol2ProfileImporter.h"
#include "profile/WalkerRequirements.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

std::string committedProfile(const std::string& name) {
  return test::sourceDir() + "/xnu_profiles/" + name + ".json";
}

TEST(NativeFormat, CommittedProfilesRoundTripByteIdentically) {
  for (const auto& build : test::realBuilds()) {
    SCOPED_TRACE(build);
    const std::string text = readWholeFile(committedProfile(build), "profile");
    const Profile profile = readNativeProfile(text, committedProfile(build));
    EXPECT_EQ(profile.name, build);
    EXPECT_EQ(writeNativeProfile(profile), text);
    const Profile back = readNativeProfile(writeNativeProfile(profile), "memory");
    EXPECT_TRUE(test::sameProfile(back, profile));
  }
}

TEST(NativeFormat, CommittedSymbolTablesRoundTripThroughXz) {
  for (const auto& build : test::realBuilds()) {
    SCOPED_TRACE(build);
    const std::string path = test::sourceDir() + "/symbols/" + build + ".txt.xz";
    const ProfileSymbolTable table = ProfileSymbolTable::load(path);
    EXPECT_GT(table.size(), 10000u);
    const std::string copy = test::scratchDir() + "/" + build + ".txt.xz";
    table.save(copy, build);
    EXPECT_EQ(readWholeFile(copy, "symbols"), readWholeFile(path, "symbols"));
    EXPECT_EQ(ProfileSymbolTable::load(copy).symbols(), table.symbols());
  }
  const ProfileSymbolTable sierra =
      ProfileSymbolTable::load(test::sourceDir() + "/symbols/Sierra_10.12.6_16G29.txt.xz");
  EXPECT_EQ(sierra.addressOf("_allproc"), 0xffffff8000abc590ull);
}

TEST(NativeFormat, SymbolTableReadsFormatOneAndRejectsUnknownVersions) {
  const ProfileSymbolTable v1 = ProfileSymbolTable::fromText(
      "# xnuscope-symbols 1 T\nffffff8000200000 __mh_execute_header\n"
      "ffffff8000300000 l _local\n",
      "v1.txt");
  ASSERT_EQ(v1.size(), 2u);
  EXPECT_TRUE(v1.symbols()[0].external);
  EXPECT_FALSE(v1.symbols()[1].external);
  EXPECT_EQ(v1.symbols()[1].name, "_local");
  const ProfileSymbolTable v2 = ProfileSymbolTable::fromText(
      "# xnuscope-symbols 2 T\nffffff8000100000 0f 0b _BootPML4\nffffff8000200010 1e 01 _pext\n",
      "v2.txt");
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(v2.symbols()[0].type, 0x0fu);
  EXPECT_EQ(v2.symbols()[0].section, 0x0bu);
  EXPECT_TRUE(v2.symbols()[0].external);
  EXPECT_FALSE(v2.symbols()[1].external);  // N_PEXT without N_EXT
  EXPECT_THROW(ProfileSymbolTable::fromText("# xnuscope-symbols 3 T\n", "v3.txt"), InputError);
  EXPECT_THROW(ProfileSymbolTable::fromText("# xnuscope-symbols 2 T\nzz 0f 01 _x\n", "bad.txt"),
               InputError);
  EXPECT_THROW(
      ProfileSymbolTable::fromText("# xnuscope-symbols 2 T\nffff 0f _missing_sect\n", "bad.txt"),
      InputError);
}

std::string minimalProfile(const std::string& structsJson) {
  return R"({"format": "xnuscope-profile", "format_version": 1, "name": "T", "banner": "B",
             "layout_source": "real", "symbols": {"_allproc": "0x10"}, "structs": )" +
         structsJson + "}";
}

void expectInputError(const std::string& text, const std::string& mentions) {
  try {
    readNativeProfile(text, "bad.json");
    FAIL() << "expected InputError for " << text;
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("bad.json"), std::string::npos) << message;
    EXPECT_NE(message.find(mentions), std::string::npos) << message;
  }
}

TEST(NativeFormat, BadFilesGiveErrorsThatNameTheProblem) {
  EXPECT_NO_THROW(
      readNativeProfile(minimalProfile(R"({"proc": {"size": 8, "fields": {}}})"), "ok"));
  expectInputError("{\"format\": ", "not valid JSON");
  expectInputError("[1, 2]", "JSON object");
  expectInputError(R"({"format": "something-else", "format_version": 1})", "$.format");
  expectInputError(R"({"format": "xnuscope-profile", "format_version": 99})", "version");
  expectInputError(R"({"format": "xnuscope-profile", "format_version": 1, "name": "T"})",
                   "$.banner");
  expectInputError(minimalProfile(R"({"proc": {"fields": {}}})"), "$.structs.proc.size");
  expectInputError(minimalProfile(R"({"proc": {"size": "big", "fields": {}}})"),
                   "$.structs.proc.size");
  // A member that cannot be represented is dropped and recorded, not the profile.
  const std::vector<std::pair<std::string, std::string>> badMembers = {
      {R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": -4, "type": "int"}}}})",
       "$.structs.proc.fields.p_pid.offset"},
      {R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": 4}}}})",
       "$.structs.proc.fields.p_pid.type"},
      {R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": 4, "type": "int[x]"}}}})",
       "p_pid.type"},
      {R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": 0, "type": "int", "bits": [60, 8]}}}})",
       "bits"},
  };
  for (const auto& [structs, mentions] : badMembers) {
    const Profile profile = readNativeProfile(minimalProfile(structs), "bad.json");
    ASSERT_EQ(profile.dropped.count("proc.p_pid"), 1u) << structs;
    EXPECT_NE(profile.dropped.at("proc.p_pid").find(mentions), std::string::npos)
        << profile.dropped.at("proc.p_pid");
    EXPECT_FALSE(profile.hasField("proc", "p_pid"));
    EXPECT_THROW(profile.offset("proc", "p_pid"), AnalysisError);
    // The record survives a write/read round trip.
    EXPECT_EQ(readNativeProfile(writeNativeProfile(profile), "again.json").dropped,
              profile.dropped);
  }
  expectInputError(minimalProfile("[]"), "$.structs");
  const std::string badSymbol =
      R"({"format": "xnuscope-profile", "format_version": 1, "name": "T", "banner": "B",
          "layout_source": "real", "symbols": {"_allproc": 16}, "structs": {}})";
  expectInputError(badSymbol, "$.symbols._allproc");
}

}  // namespace
}  // namespace xnuscope
