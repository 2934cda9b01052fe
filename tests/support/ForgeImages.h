// Synthetic macOS guest images for tests, made by the fixture forge (fixtures/forge,
// an independent Python oracle) and cached by their arguments in fixtureCache().
//
//   auto img = forgeImage({.profile = "HighSierra_10.13.6_17G65", .seed = 7});
//   // img.image is the memory image, img.truth what the forge put into it.
//
// The cache key covers the request and the forge's own source files, so editing the
// forge regenerates images. Generation is atomic (temp dir + rename): parallel ctest
// processes asking for the same image never see a half-written one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xnuscope::test {

struct ForgeRequest {
  // A real build the project ships (xnu_profiles/NAME.json + symbols/NAME.txt.xz,
  // e.g. "HighSierra_10.13.6_17G65"), or an xnu-source layout name
  // ("macos13-xnu-source", "macos11-kc-xnu-source", "macos14-kc-xnu-source", ...).
  std::string profile = "HighSierra_10.13.6_17G65";
  uint64_t seed = 1;
  std::string ram = "256M";
  int procs = 30;
  std::string format = "raw";  // raw | elf | lime
  // Further generate flags, e.g. {"--keepsyms"}, {"--smear", "dangling"}, {"--slide", "0"}.
  std::vector<std::string> extraArgs;
};

struct ForgedImage {
  std::string image;      // the memory image
  std::string truthPath;  // image + ".truth.json"
  std::string isfPath;    // image + ".isf.json" (Volatility 3 ISF of the layout used)
  nlohmann::json truth;   // parsed truth.json
};

// Generates (or reuses) the image. On failure records a gtest failure with the
// forge's own message and throws std::runtime_error.
ForgedImage forgeImage(const ForgeRequest& request);

// A Volatility 2 mac profile zip of a project build, written by the forge from
// xnu_profiles/ + symbols/ (`forge export-vol2`) into scratchDir(); its path.
std::string forgeVol2Zip(const std::string& build);

// The six real builds the project ships (xnu_profiles/ + symbols/ names).
std::vector<std::string> realBuilds();
// The six real Volatility 2 profile zips (file names in realXnuDir()), for the
// optional cross-check under `ctest -L realxnu` only.
std::vector<std::string> realProfileZips();

// Every xnu-source layout name (macOS 13, and the macOS 11-15 kernel collections).
std::vector<std::string> xnuSourceLayouts();

}  // namespace xnuscope::test
