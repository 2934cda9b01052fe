// Profile selection against the kernel in forge images of all six real builds
// (through the engine's resolution: kernel identity read from memory, then the
// repository), UUID precedence, and the refusal of a profile that does not fit.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/Error.h"
#include "engine/Target.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileRepository.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

ProfileRepository committedRepository() {
  return ProfileRepository({test::sourceDir() + "/xnu_profiles"});
}

TEST(Selection, RepositoryListsTheSixCommittedProfiles) {
  const auto repository = committedRepository();
  EXPECT_TRUE(repository.warnings().empty());
  ASSERT_EQ(repository.entries().size(), 6u);
  EXPECT_NE(repository.find("HighSierra_10.13.6_17G65"), nullptr);
  EXPECT_NE(repository.find("Sierra_10.12.6_16G29.json"), nullptr);
  EXPECT_EQ(repository.find("Catalina"), nullptr);
}

TEST(Selection, AutoSelectsTheRightProfileForForgeImagesOfAllSixBuilds) {
  for (const auto& build : test::realBuilds()) {
    SCOPED_TRACE(build);
    const auto image = test::forgeImage(
        {.profile = build, .seed = 11, .ram = "64M", .procs = 5, .format = "raw", .extraArgs = {}});
    const auto target = engine::Target::open(
        {.image = image.image, .profileDirectories = {test::sourceDir() + "/xnu_profiles"}});
    const engine::Resolution& resolved = target->resolution();
    const KernelInfo& kernel = resolved.kernel;
    ASSERT_EQ(kernel.banner, image.truth["banner"].get<std::string>());
    ASSERT_TRUE(resolved.profile.has_value()) << resolved.whyNoProfile;
    EXPECT_EQ(resolved.profile->build, image.truth["build"].get<std::string>());
    EXPECT_EQ(resolved.profileSource, engine::ProfileSource::Exact);
    // The Vol2-derived profiles carry no UUID: banner matching is the fallback.
    EXPECT_EQ(resolved.profileOrigin, "auto (banner)");
    EXPECT_EQ(checkProfileMatches(*resolved.profile, kernel.uuid, kernel.banner, false), "");
  }
}

TEST(Selection, NormalisedBannerMatchesAndUnknownKernelIsAClearError) {
  const auto repository = committedRepository();
  const std::string banner =
      "Darwin Kernel Version 15.6.0: Wed Nov 2 20:30:56 PDT 2016; "
      "root:xnu-3248.60.11.1.2~2/RELEASE_X86_64\n";
  const auto selection = repository.select("", banner + std::string(4, '\0'));
  EXPECT_EQ(selection.profile.build, "15G1212");
  EXPECT_EQ(selection.matchedBy, "normalised banner");
  try {
    repository.select("",
                      "Darwin Kernel Version 19.6.0: ...; root:xnu-6153.141.1~1/RELEASE_X86_64");
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("xnu-6153.141.1"), std::string::npos) << message;
    EXPECT_NE(message.find("--profile"), std::string::npos) << message;
  }
}

TEST(Selection, UuidWinsOverBanner) {
  const std::string dir = test::scratchDir() + "/profiles";
  std::filesystem::create_directories(dir);
  Profile withUuid = loadProfileFile(test::sourceDir() + "/xnu_profiles/Sierra_10.12.6_16G29.json");
  withUuid.name = "Sierra_with_uuid";
  withUuid.uuid = "0A1B2C3D-0000-1111-2222-333344445555";
  writeWholeFile(dir + "/Sierra_with_uuid.json", writeNativeProfile(withUuid));
  const ProfileRepository repository({dir, test::sourceDir() + "/xnu_profiles"});
  const Profile highSierra =
      loadProfileFile(test::sourceDir() + "/xnu_profiles/HighSierra_10.13.6_17G65.json");
  // Lower-case UUID from memory, banner of another build: the UUID decides.
  const auto byUuid = repository.select("0a1b2c3d-0000-1111-2222-333344445555", highSierra.banner);
  EXPECT_EQ(byUuid.profile.name, "Sierra_with_uuid");
  EXPECT_EQ(byUuid.matchedBy, "uuid");
  // A UUID no profile has falls back to the banner.
  EXPECT_EQ(
      repository.select("FFFFFFFF-0000-1111-2222-333344445555", highSierra.banner).profile.name,
      "HighSierra_10.13.6_17G65");
  // A profile whose UUID differs is refused even when the banner would match.
  EXPECT_THROW(
      checkProfileMatches(withUuid, "FFFFFFFF-0000-1111-2222-333344445555", withUuid.banner, false),
      AnalysisError);
}

TEST(Selection, MismatchedProfileIsRefusedNamingBothBuildsUnlessForced) {
  const Profile sierra =
      loadProfileFile(test::sourceDir() + "/xnu_profiles/Sierra_10.12.6_16G29.json");
  const Profile highSierra =
      loadProfileFile(test::sourceDir() + "/xnu_profiles/HighSierra_10.13.6_17G65.json");
  try {
    checkProfileMatches(sierra, "", highSierra.banner, false);
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("16G29"), std::string::npos) << message;           // the profile's build
    EXPECT_NE(message.find("xnu-3789.70.16"), std::string::npos) << message;  // its xnu
    EXPECT_NE(message.find("xnu-4570.71.2"), std::string::npos) << message;   // the kernel's
    EXPECT_NE(message.find("--force"), std::string::npos) << message;
  }
  const std::string warning = checkProfileMatches(sierra, "", highSierra.banner, true);
  EXPECT_NE(warning.find("--force"), std::string::npos) << warning;
}

TEST(Selection, LoadProfileFileReadsEveryFormat) {
  const Profile native =
      loadProfileFile(test::sourceDir() + "/xnu_profiles/Yosemite_10.10.5_14F27.json");
  const Profile zip = loadProfileFile(test::forgeVol2Zip("Yosemite_10.10.5_14F27"));
  EXPECT_EQ(zip.offset("proc", "p_comm"), native.offset("proc", "p_comm"));
  const auto image = test::forgeImage({.profile = "Yosemite_10.10.5_14F27",
                                       .seed = 11,
                                       .ram = "64M",
                                       .procs = 5,
                                       .format = "raw",
                                       .extraArgs = {}});
  const Profile isf = loadProfileFile(image.isfPath);
  EXPECT_EQ(isf.banner, native.banner);
  const std::string junk = test::scratchDir() + "/junk.json";
  writeWholeFile(junk, "{\"hello\": 1}");
  EXPECT_THROW(loadProfileFile(junk), InputError);
  EXPECT_THROW(loadProfileFile(test::scratchDir() + "/absent.json"), InputError);
}

}  // namespace
}  // namespace xnuscope
