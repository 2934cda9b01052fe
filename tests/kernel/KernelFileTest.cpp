// `--kernel PATH` end to end on a macOS 11 kernel collection: each segment has its
// own slide and the in-memory header carries only runtime addresses, so the walkers
// need the kernel file's unslid segment starts to find the profile's symbols.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

#include "core/Error.h"
#include "kernel/KernelFile.h"
#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

using xnuscope::test::ForgedImage;
using xnuscope::test::forgeImage;
using xnuscope::test::ForgeRequest;
using xnuscope::test::runCli;

namespace {

const ForgedImage& kernelCollectionImage() {
  static const ForgedImage forged =
      forgeImage(ForgeRequest{"macos11-kc-xnu-source", 23, "256M", 12, "raw", {}});
  return forged;
}

std::uint64_t hexValue(const nlohmann::json& text) {
  return std::stoull(text.get<std::string>(), nullptr, 16);
}

}  // namespace

TEST(KernelFile, ParsesForgedKernelFileAsLinked) {
  const auto& forged = kernelCollectionImage();
  const std::string image = forged.image;
  EXPECT_EQ(forged.truth["kernel_file"], image.substr(image.find_last_of('/') + 1) + ".kernel");
  const auto file = xnuscope::KernelFile::load(forged.image + ".kernel");
  EXPECT_EQ(file.uuid(), forged.truth["uuid"]);
  for (const auto& segment : forged.truth["segments"]) {
    const std::string name = segment["name"];
    ASSERT_TRUE(file.segments().count(name)) << name;
    EXPECT_EQ(file.segments().at(name), hexValue(segment["unslid_vmaddr"])) << name;
  }
  EXPECT_EQ(file.segments().size(), forged.truth["segments"].size());
  // Every runtime symbol of the truth is the file's unslid symbol plus its segment's slide.
  const std::uint64_t allproc = file.symbols().at("_allproc");
  const std::uint64_t runtime = hexValue(forged.truth["symbols_runtime"]["_allproc"]);
  bool inSegment = false;
  for (const auto& segment : forged.truth["segments"]) {
    const std::uint64_t unslid = hexValue(segment["unslid_vmaddr"]);
    if (allproc >= unslid && allproc < unslid + hexValue(segment["vmsize"])) {
      inSegment = true;
      EXPECT_EQ(allproc - unslid + hexValue(segment["runtime_vmaddr"]), runtime);
    }
  }
  EXPECT_TRUE(inSegment);
}

TEST(KernelFile, PslistOnKernelCollectionEqualsTruth) {
  const auto& forged = kernelCollectionImage();
  const auto result = runCli({"--image", forged.image, "--profile", forged.isfPath, "--kernel",
                              forged.image + ".kernel", "pslist", "--format", "json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto rows = nlohmann::json::parse(result.out)["processes"];
  std::multiset<std::tuple<int, int, std::string>> seen, expected;
  for (const auto& row : rows) {
    seen.insert({row["pid"].get<int>(), row["ppid"].get<int>(), row["name"].get<std::string>()});
  }
  for (const auto& proc : forged.truth["processes"]) {
    expected.insert(
        {proc["pid"].get<int>(), proc["ppid"].get<int>(), proc["name"].get<std::string>()});
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(seen, expected);
}

TEST(KernelFile, InfoSegmentsEqualTruthRuntimeAndUnslid) {
  const auto& forged = kernelCollectionImage();
  const auto result = runCli({"info", "--image", forged.image, "--profile", forged.isfPath,
                              "--kernel", forged.image + ".kernel", "--format", "json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto info = nlohmann::json::parse(result.out);
  EXPECT_EQ(info["uuid"], forged.truth["uuid"]);
  EXPECT_EQ(info["kernel_base_va"], forged.truth["kernel_base_va"]);
  std::map<std::string, std::pair<std::string, std::string>> seen, expected;
  for (const auto& segment : info["segments"]) {
    seen[segment["name"]] = {segment["unslid_start"], segment["runtime_start"]};
  }
  for (const auto& segment : forged.truth["segments"]) {
    expected[segment["name"]] = {segment["unslid_vmaddr"], segment["runtime_vmaddr"]};
  }
  EXPECT_EQ(seen, expected);
  for (const auto& warning : info["warnings"]) {
    EXPECT_EQ(warning.get<std::string>().find("kernel collection: unslid segment addresses"),
              std::string::npos)
        << "--kernel must replace the guess: " << warning;
  }
}

TEST(KernelFile, MissingOrGarbageKernelFileIsUsageError) {
  const auto& forged = kernelCollectionImage();
  const std::string garbage = xnuscope::test::scratchDir() + "/garbage.kernel";
  std::ofstream(garbage, std::ios::binary) << std::string(4096, 'x');
  for (const std::string& path : {forged.image + ".missing", garbage}) {
    const auto result = runCli({"--image", forged.image, "--profile", forged.isfPath, "--kernel",
                                path, "pslist", "--format", "json"});
    EXPECT_EQ(result.exitCode, 2) << path << ": " << result.err;
    EXPECT_NE(result.err.find(path), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_THROW(xnuscope::KernelFile::load(path), xnuscope::InputError);
  }
}

TEST(KernelFile, UuidMismatchIsRefusedUnlessForced) {
  const auto& forged = kernelCollectionImage();
  const auto other = forgeImage(ForgeRequest{"macos11-kc-xnu-source", 24, "256M", 4, "raw", {}});
  ASSERT_NE(other.truth["uuid"], forged.truth["uuid"]);
  const std::vector<std::string> args = {"--image",      forged.image, "--profile",
                                         forged.isfPath, "--kernel",   other.image + ".kernel",
                                         "info",         "--format",   "json"};
  const auto refused = runCli(args);
  EXPECT_EQ(refused.exitCode, 1) << refused.err;
  EXPECT_NE(refused.err.find(other.truth["uuid"].get<std::string>()), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find(forged.truth["uuid"].get<std::string>()), std::string::npos)
      << refused.err;
  auto forcedArgs = args;
  forcedArgs.insert(forcedArgs.begin(), "--force");
  const auto forcedResult = runCli(forcedArgs);
  EXPECT_EQ(forcedResult.exitCode, 0) << forcedResult.err;
}
