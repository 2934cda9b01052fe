// The profile directory index: each native profile is known by its identifying
// members (read without parsing the symbols and structs), and only the profile
// selection picks is parsed in full. Checks that the identity agrees with a full
// parse, that a body is never parsed unless chosen, and what happens to a profile
// whose header or body does not read.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileIdentity.h"
#include "profile/ProfileRepository.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

namespace fs = std::filesystem;

std::string committed(const std::string& name) {
  return test::sourceDir() + "/xnu_profiles/" + name + ".json";
}

// A copy of a committed profile renamed to `name`, its text cut right after the
// identifying members (which the writer puts first) and ended with `tail`.
std::string withBody(const std::string& source, const std::string& name, const std::string& tail) {
  Profile profile = loadProfileFile(committed(source));
  profile.name = name;
  std::string text = writeNativeProfile(profile);
  const auto body = text.find("\"provenance\"");
  EXPECT_NE(body, std::string::npos);
  return text.substr(0, body) + tail;
}

std::string freshDir(const std::string& name) {
  const std::string dir = test::scratchDir() + "/" + name;
  fs::create_directories(dir);
  return dir;
}

std::string identityError(const std::string& text) {
  try {
    readNativeProfileIdentity(text, "t.json");
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

// `profile` as written by hand: the body first, the identifying members last.
nlohmann::ordered_json bodyFirst(const Profile& profile) {
  const auto written = nlohmann::ordered_json::parse(writeNativeProfile(profile));
  nlohmann::ordered_json reordered;
  for (const char* key : {"structs", "symbols", "provenance"}) reordered[key] = written[key];
  for (const auto& [key, value] : written.items()) {
    if (!reordered.contains(key)) reordered[key] = value;
  }
  return reordered;
}

TEST(ProfileIndex, IdentityAgreesWithTheFullParseOfEveryCommittedProfile) {
  std::size_t checked = 0;
  for (const auto& item : fs::directory_iterator(test::sourceDir() + "/xnu_profiles")) {
    if (item.path().extension() != ".json") continue;
    SCOPED_TRACE(item.path().string());
    const std::string text = readWholeFile(item.path().string(), "profile");
    const auto identity = readNativeProfileIdentity(text, item.path().string());
    ASSERT_TRUE(identity.has_value());
    const Profile full = readNativeProfile(text, item.path().string());
    EXPECT_EQ(identity->name, full.name);
    EXPECT_EQ(identity->macos, full.macos);
    EXPECT_EQ(identity->build, full.build);
    EXPECT_EQ(identity->xnu, full.xnu);
    EXPECT_EQ(identity->banner, full.banner);
    EXPECT_EQ(identity->uuid, full.uuid);
    EXPECT_EQ(identity->layoutSource, full.layoutSource);
    ++checked;
  }
  EXPECT_EQ(checked, 6u);
}

TEST(ProfileIndex, IdentityIsReadWhateverTheMemberOrderAndStopsBeforeTheBody) {
  // Hand-edited: the body first, the identifying members last, a UUID given.
  Profile profile = loadProfileFile(committed("Sierra_10.12.6_16G29"));
  profile.uuid = "0A1B2C3D-0000-1111-2222-333344445555";
  const nlohmann::ordered_json reordered = bodyFirst(profile);
  const auto identity = readNativeProfileIdentity(reordered.dump(), "reordered.json");
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->uuid, profile.uuid);
  EXPECT_EQ(identity->banner, profile.banner);
  EXPECT_EQ(identity->build, "16G29");
  EXPECT_EQ(readNativeProfile(reordered.dump(), "reordered.json"), profile);

  // The writer's order: the scan has what it needs before the (broken) body.
  const std::string broken =
      withBody("Sierra_10.12.6_16G29", "broken", "\"symbols\": {\"_x\": ]]]");
  EXPECT_EQ(readNativeProfileIdentity(broken, "broken.json")->build, "16G29");
  EXPECT_THROW(readNativeProfile(broken, "broken.json"), InputError);
}

TEST(ProfileIndex, IdentityErrorsNameTheFileAndTheMember) {
  EXPECT_FALSE(readNativeProfileIdentity("{\"hello\": 1}", "t.json").has_value());
  EXPECT_FALSE(readNativeProfileIdentity("", "t.json").has_value());
  const std::string head = "{\"format\": \"xnuscope-profile\", \"format_version\": 1, ";
  EXPECT_NE(identityError(head + "\"name\": \"n\", \"banner\": \"b\"}")
                .find("$.layout_source is missing"),
            std::string::npos);
  EXPECT_NE(identityError(head + "\"name\": \"n\", \"layout_source\": \"real\"}")
                .find("$.banner is missing"),
            std::string::npos);
  EXPECT_NE(
      identityError(head + "\"name\": \"n\", \"uuid\": 7,").find("t.json: $.uuid must be a string"),
      std::string::npos);
  EXPECT_NE(identityError(head + "\"name\": {\"a\": 1},").find("$.name must be a string"),
            std::string::npos);
  EXPECT_NE(identityError("{\"format\": \"xnuscope-profile\", \"format_version\": 2, \"name\": "
                          "\"n\", \"banner\": \"b\", \"layout_source\": \"real\", \"macos\": null,"
                          " \"build\": null, \"xnu\": null, \"uuid\": null}")
                .find("$.format_version is 2"),
            std::string::npos);
  EXPECT_NE(identityError(head + "\"name\": \"n\" \"banner\"").find("t.json is not valid JSON"),
            std::string::npos);
  EXPECT_NE(
      identityError("[{\"format\": \"xnuscope-profile\"}]").find("t.json: $ must be an object"),
      std::string::npos);
}

TEST(ProfileIndex, OnlyTheChosenProfileIsParsedInFull) {
  const std::string dir = freshDir("only-chosen");
  // Sorts first, carries Yosemite's banner, and its body does not parse.
  writeWholeFile(dir + "/AAA_broken_body.json",
                 withBody("Yosemite_10.10.5_14F27", "AAA_broken_body", "\"symbols\": ]"));
  const ProfileRepository repository({dir, test::sourceDir() + "/xnu_profiles"});
  EXPECT_TRUE(repository.warnings().empty());
  EXPECT_EQ(repository.entries().size(), 7u);
  const Profile highSierra = loadProfileFile(committed("HighSierra_10.13.6_17G65"));
  const auto selection = repository.select("", highSierra.banner);
  EXPECT_EQ(selection.profile, highSierra);
  EXPECT_EQ(selection.matchedBy, "banner");
  EXPECT_EQ(selection.path, committed("HighSierra_10.13.6_17G65"));
  EXPECT_TRUE(selection.warnings.empty());  // the broken body was never read

  // Chosen by banner, it does not parse: passed over, naming it, for the next match.
  const Profile yosemite = loadProfileFile(committed("Yosemite_10.10.5_14F27"));
  const auto next = repository.select("", yosemite.banner);
  EXPECT_EQ(next.profile.name, "Yosemite_10.10.5_14F27");
  ASSERT_EQ(next.warnings.size(), 1u);
  EXPECT_NE(next.warnings[0].find("AAA_broken_body.json"), std::string::npos) << next.warnings[0];
  EXPECT_NE(next.warnings[0].find("matches by banner"), std::string::npos) << next.warnings[0];
  EXPECT_THROW(ProfileRepository::load(repository.entries().front()), InputError);
}

TEST(ProfileIndex, AMemberGivenTwiceDifferentlyIsNotSelected) {
  const std::string dir = freshDir("twice");
  const Profile sierra = loadProfileFile(committed("Sierra_10.12.6_16G29"));
  const Profile yosemite = loadProfileFile(committed("Yosemite_10.10.5_14F27"));
  Profile twice = sierra;
  twice.name = "AAA_banner_twice";
  std::string text = writeNativeProfile(twice);
  // Sierra's banner up front (where the scan stops), Yosemite's again at the end (what
  // the full parse keeps): the two readings disagree, so the file is not used.
  text.insert(text.rfind('}'), ", \"banner\": " + nlohmann::json(yosemite.banner).dump());
  writeWholeFile(dir + "/AAA_banner_twice.json", text);
  EXPECT_EQ(readNativeProfile(text, "twice.json").banner, yosemite.banner);
  const ProfileRepository repository({dir, test::sourceDir() + "/xnu_profiles"});
  const auto selection = repository.select("", sierra.banner);
  EXPECT_EQ(selection.profile, sierra);
  ASSERT_EQ(selection.warnings.size(), 1u);
  EXPECT_NE(selection.warnings[0].find("twice, differently"), std::string::npos)
      << selection.warnings[0];
}

TEST(ProfileIndex, SelectsByUuidBeforeBannerAndReportsWhatItSkipped) {
  const std::string dir = freshDir("by-uuid");
  Profile sierra = loadProfileFile(committed("Sierra_10.12.6_16G29"));
  sierra.name = "Sierra_with_uuid";
  sierra.uuid = "0A1B2C3D-0000-1111-2222-333344445555";
  writeWholeFile(dir + "/Sierra_with_uuid.json", writeNativeProfile(sierra));
  // Unreadable identity: a warning when indexing, the rest still selectable.
  writeWholeFile(dir + "/garbled.json", "{\"format\": \"xnuscope-profile\", \"format_version\": ");
  // A second profile with the UUID whose body does not parse.
  Profile brokenUuid = sierra;
  brokenUuid.name = "AAA_uuid_broken";
  std::string text = writeNativeProfile(brokenUuid);
  writeWholeFile(dir + "/AAA_uuid_broken.json", text.substr(0, text.find("\"provenance\"")) + "]");

  const ProfileRepository repository({dir, test::sourceDir() + "/xnu_profiles"});
  ASSERT_EQ(repository.warnings().size(), 1u);
  EXPECT_NE(repository.warnings()[0].find("garbled.json"), std::string::npos);
  const Profile highSierra = loadProfileFile(committed("HighSierra_10.13.6_17G65"));
  const auto byUuid = repository.select("0a1b2c3d-0000-1111-2222-333344445555", highSierra.banner);
  EXPECT_EQ(byUuid.profile, sierra);
  EXPECT_EQ(byUuid.matchedBy, "uuid");
  ASSERT_EQ(byUuid.warnings.size(), 1u);
  EXPECT_NE(byUuid.warnings[0].find("AAA_uuid_broken"), std::string::npos);

  // Nothing parseable matches: the error names the skipped file.
  const std::string lone = freshDir("lone");
  fs::copy_file(dir + "/AAA_uuid_broken.json", lone + "/AAA_uuid_broken.json");
  try {
    ProfileRepository({lone}).select("0A1B2C3D-0000-1111-2222-333344445555", "");
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("AAA_uuid_broken.json"), std::string::npos) << message;
    EXPECT_NE(message.find("--profile"), std::string::npos) << message;
  }
}

TEST(ProfileIndex, IdentityPastTheFileHeadIsStillFound) {
  // Hand-edited, the body first: the identifying members lie beyond the 64 KiB
  // head the index reads first, so it reads the whole file.
  const std::string dir = freshDir("identity-past-head");
  Profile profile = loadProfileFile(committed("Sierra_10.12.6_16G29"));
  profile.uuid = "0A1B2C3D-0000-1111-2222-333344445555";
  const nlohmann::ordered_json reordered = bodyFirst(profile);
  const std::string text = reordered.dump(2);
  ASSERT_GT(text.find("\"uuid\""), 64u * 1024);
  writeWholeFile(dir + "/reordered.json", text);
  const ProfileRepository repository({dir});
  EXPECT_TRUE(repository.warnings().empty());
  ASSERT_EQ(repository.entries().size(), 1u);
  const auto selection = repository.select(*profile.uuid, "");
  EXPECT_EQ(selection.matchedBy, "uuid");
  EXPECT_EQ(selection.profile, profile);
}

}  // namespace
}  // namespace xnuscope
