// The native profile format: round trips, byte-identical regeneration of the
// committed xnu_profiles/ and symbols/, and clear errors for bad files.
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
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

const std::vector<std::string> kRealZips = {
    "Mavericks_10.9.5_13f34.zip", "Yosemite_10.10.5_14F27.zip",   "ElCapitan_10.11.6_15G1212.zip",
    "Sierra_10.12.6_16G29.zip",   "HighSierra_10.13.1_17B48.zip", "HighSierra_10.13.6_17G65.zip"};

std::string committedProfile(const std::string& name) {
  return test::sourceDir() + "/xnu_profiles/" + name + ".json";
}

// Regenerating every committed profile and symbol table from the zips gives the
// same bytes (the banner comes from the committed file: the zips carry none).
TEST(NativeFormat, CommittedProfilesRegenerateByteIdentically) {
  const std::string out = test::scratchDir() + "/regen";
  for (const auto& zip : kRealZips) {
    SCOPED_TRACE(zip);
    const auto imported = importVol2Profile(test::realXnuDir() + "/" + zip, {});
    const std::string committedPath = committedProfile(imported.profile.name);
    const Profile committed =
        readNativeProfile(readWholeFile(committedPath, "profile"), committedPath);
    const auto withBanner =
        importVol2Profile(test::realXnuDir() + "/" + zip, {committed.banner, ""});
    const auto written = writeProfileOutputs(withBanner, out + "/profiles", out + "/symbols");
    EXPECT_EQ(readWholeFile(written.profilePath, "profile"),
              readWholeFile(committedPath, "profile"));
    EXPECT_EQ(
        readWholeFile(written.symbolsPath, "symbols"),
        readWholeFile(test::sourceDir() + "/symbols/" + committed.name + ".txt.xz", "symbols"));
  }
}

TEST(NativeFormat, WriteReadRoundTripIsExact) {
  for (const auto& zip : kRealZips) {
    SCOPED_TRACE(zip);
    const Profile compact =
        compactForWalkers(importVol2Profile(test::realXnuDir() + "/" + zip, {}).profile);
    const std::string text = writeNativeProfile(compact);
    const Profile back = readNativeProfile(text, "memory");
    EXPECT_TRUE(test::sameProfile(back, compact));
    EXPECT_EQ(writeNativeProfile(back), text);
  }
}

TEST(NativeFormat, SymbolTableRoundTripsThroughXz) {
  const auto imported = importVol2Profile(test::realXnuDir() + "/Sierra_10.12.6_16G29.zip", {});
  const std::string path = test::scratchDir() + "/sierra.txt.xz";
  imported.symbolTable.save(path, "Sierra");
  const ProfileSymbolTable back = ProfileSymbolTable::load(path);
  EXPECT_EQ(back.symbols(), imported.symbolTable.symbols());
  EXPECT_EQ(back.addressOf("_allproc"), 0xffffff8000abc590ull);
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
  expectInputError(
      minimalProfile(
          R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": -4, "type": "int"}}}})"),
      "$.structs.proc.fields.p_pid.offset");
  expectInputError(minimalProfile(R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": 4}}}})"),
                   "$.structs.proc.fields.p_pid.type");
  expectInputError(
      minimalProfile(
          R"({"proc": {"size": 8, "fields": {"p_pid": {"offset": 4, "type": "int[x]"}}}})"),
      "p_pid.type");
  expectInputError(
      minimalProfile(
          R"({"e": {"size": 8, "fields": {"f": {"offset": 0, "type": "int", "bits": [60, 8]}}}})"),
      "bits");
  expectInputError(minimalProfile("[]"), "$.structs");
  const std::string badSymbol =
      R"({"format": "xnuscope-profile", "format_version": 1, "name": "T", "banner": "B",
          "layout_source": "real", "symbols": {"_allproc": 16}, "structs": {}})";
  expectInputError(badSymbol, "$.symbols._allproc");
}

}  // namespace
}  // namespace xnuscope
