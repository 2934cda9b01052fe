// The project's xnu_profiles/ and symbols/ are what `scripts/regen-profiles.sh`
// makes from the real Volatility 2 zips: regenerating gives the same bytes, and the
// Vol2 → native → ISF → native chain is lossless on the real data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "RealVol2Zips.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileDiff.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileOutputs.h"
#include "profile/Vol2ProfileImporter.h"
#include "profile/WalkerRequirements.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

std::string committedProfile(const std::string& name) {
  return test::sourceDir() + "/xnu_profiles/" + name + ".json";
}

TEST_F(RealVol2Zips, CommittedProfilesRegenerateByteIdentically) {
  const std::string out = test::scratchDir() + "/regen";
  for (const auto& zip : test::realProfileZips()) {
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

TEST_F(RealVol2Zips, RealZipEqualsTheForgeWrittenZipOfTheSameBuild) {
  for (std::size_t i = 0; i < test::realProfileZips().size(); ++i) {
    const std::string zip = test::realProfileZips()[i];
    const std::string build = test::realBuilds()[i];
    SCOPED_TRACE(zip);
    const Profile real =
        compactForWalkers(importVol2Profile(test::realXnuDir() + "/" + zip, {}).profile);
    Profile forged = compactForWalkers(importVol2Profile(test::forgeVol2Zip(build), {}).profile);
    forged.provenance = real.provenance;
    EXPECT_TRUE(test::sameProfile(forged, real));
  }
}

}  // namespace
}  // namespace xnuscope
