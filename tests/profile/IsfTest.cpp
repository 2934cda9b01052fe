// Volatility 3 ISF import/export: vol2 → native → ISF → native round trips, the
// compressed variants, the forge's ISF files (an independent writer), bad input.
#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "ProfileDiff.h"
#include "core/Error.h"
#include "profile/Base64.h"
#include "profile/Compression.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/Vol2ProfileImporter.h"
#include "profile/WalkerRequirements.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

Profile committed(const std::string& name) {
  const std::string path = test::sourceDir() + "/xnu_profiles/" + name + ".json";
  return readNativeProfile(readWholeFile(path, "profile"), path);
}

TEST(Isf, Vol2ToNativeToIsfToNativeIsEqualForEveryRealBuild) {
  for (const auto& build : test::realBuilds()) {
    SCOPED_TRACE(build);
    const auto imported = importVol2Profile(test::forgeVol2Zip(build), {});
    const Profile native = committed(imported.profile.name);
    // The committed file is the vol2 import, compacted (banner added by the regen script).
    Profile fromZip = compactForWalkers(imported.profile);
    fromZip.banner = native.banner;
    fromZip.xnu = native.xnu;
    fromZip.provenance = native.provenance;  // names the forge-written zip
    EXPECT_TRUE(test::sameProfile(fromZip, native));
    const std::string isf = exportIsf(native);
    const Profile back = importIsfText(isf, "roundtrip.json").profile;
    EXPECT_TRUE(test::sameProfile(back, native));
    // ISF conventions: no underscore, banner in version.constant_data.
    const auto doc = nlohmann::json::parse(isf);
    EXPECT_EQ(doc["metadata"]["format"], "6.2.0");
    ASSERT_TRUE(doc["symbols"].contains("allproc"));
    EXPECT_FALSE(doc["symbols"].contains("_allproc"));
    EXPECT_EQ(doc["symbols"]["allproc"]["address"].get<std::uint64_t>(),
              native.requireSymbol("_allproc"));
    const auto banner = base64Decode(doc["symbols"]["version"]["constant_data"].get<std::string>());
    ASSERT_TRUE(banner);
    EXPECT_EQ(*banner, native.banner + std::string(1, '\0'));
    EXPECT_EQ(doc["user_types"]["vm_map_entry"]["fields"]["max_protection"]["type"]["kind"],
              "bitfield");
  }
}

TEST(Isf, ReadsXzAndGzipCompressedFiles) {
  const Profile native = committed("Yosemite_10.10.5_14F27");
  const std::string isf = exportIsf(native);
  const std::string dir = test::scratchDir();
  writeWholeFile(dir + "/y.json.xz", xz(isf));
  const std::string gzPath = dir + "/y.json.gz";
  gzFile gz = gzopen(gzPath.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, isf.data(), static_cast<unsigned>(isf.size())),
            static_cast<int>(isf.size()));
  gzclose(gz);
  writeWholeFile(dir + "/y.json", isf);
  for (const char* name : {"/y.json", "/y.json.xz", "/y.json.gz"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(test::sameProfile(importIsfProfile(dir + name).profile, native));
  }
  // A truncated xz stream is an input error, not a crash.
  const std::string compressed = xz(isf);
  writeWholeFile(dir + "/cut.json.xz", compressed.substr(0, compressed.size() / 2));
  EXPECT_THROW(importIsfProfile(dir + "/cut.json.xz"), InputError);
}

// The forge writes its own ISF (independent code) with unsplit byte bitfields in
// "unsigned char" storage units and restored array counts. After import the layout
// must agree with the vol2 import of the same build.
TEST(Isf, ForgeIsfOfARealBuildAgreesWithTheVol2Import) {
  const auto image = test::forgeImage({.profile = "HighSierra_10.13.6_17G65",
                                       .seed = 3,
                                       .ram = "64M",
                                       .procs = 5,
                                       .format = "raw",
                                       .extraArgs = {}});
  const Profile fromForge = importIsfProfile(image.isfPath).profile;
  const Profile native = committed("HighSierra_10.13.6_17G65");
  EXPECT_EQ(fromForge.banner, native.banner);
  for (const char* structName :
       {"proc", "task", "_vm_map", "vm_map_header", "vm_map_links", "pmap", "ucred"}) {
    SCOPED_TRACE(structName);
    EXPECT_EQ(fromForge.structure(structName).size, native.structure(structName).size);
    for (const auto& [name, field] : native.structure(structName).fields) {
      ASSERT_TRUE(fromForge.hasField(structName, name)) << name;
      EXPECT_EQ(fromForge.field(structName, name).offset, field.offset) << name;
    }
  }
  for (const auto& [name, field] : native.structure("vm_map_entry").fields) {
    SCOPED_TRACE(name);
    const Field& forged = fromForge.field("vm_map_entry", name);
    EXPECT_EQ(forged.offset, field.offset);
    EXPECT_EQ(forged.bits, field.bits);
  }
  EXPECT_EQ(fromForge.field("proc", "p_comm").elementCount, 17u);
  EXPECT_EQ(fromForge.offset("ucred", "cr_posix.cr_uid"), 0x18u);
}

TEST(Isf, ForgeXnuSourceLayoutOfMacos13) {
  const auto image = test::forgeImage({.profile = "macos13-xnu-source",
                                       .seed = 3,
                                       .ram = "64M",
                                       .procs = 5,
                                       .format = "raw",
                                       .extraArgs = {}});
  const Profile p = importIsfProfile(image.isfPath).profile;
  EXPECT_EQ(p.layoutSource, "xnu-source");
  EXPECT_FALSE(p.hasField("proc", "task"));
  EXPECT_EQ(p.offset("proc", "p_pid"), 0x60u);
  EXPECT_EQ(p.offset("proc", "p_pptr"), 0x10u);
  EXPECT_EQ(p.offset("task", "map"), 0x28u);
  const Field& protection = p.field("vm_map_entry", "protection");
  EXPECT_EQ(protection.offset, 0x48u);
  EXPECT_EQ(protection.bits, (BitField{7, 4}));
  EXPECT_EQ(p.field("vm_map_entry", "max_protection").bits, (BitField{11, 4}));
  EXPECT_NE(p.banner.find("Darwin Kernel Version 22."), std::string::npos) << p.banner;
  EXPECT_TRUE(p.symbol("_allproc"));
}

void expectIsfError(const std::string& text, const std::string& mentions) {
  try {
    importIsfText(text, "bad.isf.json");
    FAIL() << "expected InputError for " << text;
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(mentions), std::string::npos) << error.what();
  }
}

TEST(Isf, BadFilesGiveClearErrors) {
  expectIsfError("{", "not valid JSON");
  expectIsfError("{}", "metadata.format");
  expectIsfError(R"({"metadata": {"format": "9.0.0"}, "user_types": {}, "symbols": {}})", "schema");
  expectIsfError(R"({"metadata": {"format": "6.2.0"}, "symbols": {}})", "user_types");
}

// A struct, member or symbol that cannot be represented is dropped and named; the
// rest of the ISF loads (issue 14.1), and a walker needing the dropped part is refused.
void expectDropped(const std::string& text, const std::string& key, const std::string& mentions,
                   const std::string& warned) {
  const ImportedProfile imported = importIsfText(text, "bad.isf.json");
  ASSERT_EQ(imported.profile.dropped.count(key), 1u) << text;
  EXPECT_NE(imported.profile.dropped.at(key).find(mentions), std::string::npos)
      << imported.profile.dropped.at(key);
  ASSERT_FALSE(imported.warnings.empty());
  EXPECT_NE(imported.warnings.front().find(warned), std::string::npos) << imported.warnings.front();
}

TEST(Isf, UnrepresentablePartsAreDroppedAndNamed) {
  expectDropped(
      R"({"metadata": {"format": "6.2.0"}, "user_types": {"proc": {"size": -1, "fields": {}}}, "symbols": {}})",
      "proc", "size", "user_types.proc");
  expectDropped(
      R"({"metadata": {"format": "6.2.0"}, "user_types": {"proc": {"size": 8, "fields": {"p": {"offset": 0, "type": {"kind": "bitfield", "bit_position": 70, "bit_length": 3, "type": {"kind": "base", "name": "int"}}}}}}, "symbols": {}})",
      "proc.p", "bit_position 0..63", "user_types.proc.fields.p");
  expectDropped(
      R"({"metadata": {"format": "6.2.0"}, "user_types": {}, "symbols": {"allproc": {"address": "0x10"}}})",
      "symbol _allproc", "address", "symbols.allproc");
  const Profile p =
      importIsfText(
          R"({"metadata": {"format": "6.2.0"}, "user_types": {"proc": {"size": 8, "fields": {"p": {"offset": 0, "type": {"kind": "bitfield", "bit_position": 70, "bit_length": 3, "type": {"kind": "base", "name": "int"}}}}}}, "symbols": {"allproc": {"address": "0x10"}}})",
          "bad.isf.json")
          .profile;
  try {
    p.field("proc", "p");
    FAIL() << "dropped member served";
  } catch (const AnalysisError& error) {
    EXPECT_NE(std::string(error.what()).find("dropped"), std::string::npos) << error.what();
  }
  EXPECT_THROW(p.requireSymbol("_allproc"), AnalysisError);
}

}  // namespace
}  // namespace xnuscope
