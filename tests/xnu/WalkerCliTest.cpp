// The walker commands as a user runs them: JSON shape per DESIGN.md, exit codes,
// and the values against forge truth.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

const ForgedImage& image() {
  static const ForgedImage forged = forgeImage({.profile = "HighSierra_10.13.1_17B48",
                                                .seed = 17,
                                                .ram = "128M",
                                                .procs = 12,
                                                .extraArgs = {"--zombies", "1"}});
  return forged;
}

Json runJson(const std::vector<std::string>& args) {
  std::vector<std::string> full = {"--image", image().image, "--format", "json"};
  full.insert(full.end(), args.begin(), args.end());
  const CliResult result = runCli(full);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return Json::parse(result.out);
}

TEST(WalkerCliTest, PslistJsonMatchesTruthAndContract) {
  const Json doc = runJson({"pslist"});
  EXPECT_EQ(doc["complete"], true);
  EXPECT_TRUE(doc["warnings"].empty());
  const Json& truth = image().truth["processes"];
  ASSERT_EQ(doc["processes"].size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const Json& row = doc["processes"][i];
    EXPECT_EQ(row["pid"], truth[i]["pid"]);
    EXPECT_EQ(row["ppid"], truth[i]["ppid"]);
    EXPECT_EQ(row["uid"], truth[i]["uid"]);
    EXPECT_EQ(row["name"], truth[i]["name"]);
    EXPECT_EQ(row["address"], truth[i]["address"]);
    EXPECT_EQ(row["start_time_epoch"], truth[i]["start_time"]);
    EXPECT_EQ(row["zombie"], truth[i]["zombie"]);
    EXPECT_TRUE(row["start_time"].get<std::string>().ends_with("Z"));
  }
}

TEST(WalkerCliTest, MapsJsonHasLettersAndTotals) {
  const Json& process = image().truth["processes"][0];
  const Json doc = runJson({"maps", "--pid", std::to_string(process["pid"].get<int>())});
  EXPECT_EQ(doc["complete"], true);
  ASSERT_EQ(doc["maps"].size(), process["maps"].size());
  for (std::size_t i = 0; i < doc["maps"].size(); ++i) {
    for (const char* key : {"start", "end", "prot", "maxprot", "inheritance", "offset", "tag",
                            "object", "is_submap"}) {
      EXPECT_EQ(doc["maps"][i][key], process["maps"][i][key]) << key << " row " << i;
    }
  }
  EXPECT_EQ(doc["totals"]["entries"], process["maps"].size());
}

TEST(WalkerCliTest, KextsDmesgAndPstree) {
  const Json kexts = runJson({"kexts"});
  EXPECT_EQ(kexts["kexts"].size(), image().truth["kexts"].size());
  const Json dmesg = runJson({"dmesg"});
  ASSERT_FALSE(dmesg["messages"].empty());
  const std::string text = image().truth["msgbuf"]["text"];
  EXPECT_NE(text.find(dmesg["messages"].back().get<std::string>()), std::string::npos);
  const Json tree = runJson({"pstree"});
  ASSERT_FALSE(tree["processes"].empty());
  EXPECT_EQ(tree["processes"][0]["pid"], 0);
  EXPECT_EQ(tree["processes"][0]["depth"], 0);
}

TEST(WalkerCliTest, DumpWritesTheRangeAndListsHoles) {
  const Json& process = image().truth["processes"][0];
  const std::string va = process["resident_pages"][0]["va"];
  const std::uint64_t start = std::stoull(va, nullptr, 16);
  const std::string out = scratchDir() + "/dump.bin";
  char end[32];
  std::snprintf(end, sizeof end, "0x%llx", static_cast<unsigned long long>(start + 0x1000));
  const Json doc = runJson({"dump", "--pid", std::to_string(process["pid"].get<int>()), "--start",
                            va, "--end", end, "-o", out});
  EXPECT_EQ(doc["bytes_written"], 0x1000);
  EXPECT_EQ(doc["bytes_present"], 0x1000);
  EXPECT_TRUE(doc["holes"].empty());
  std::ifstream in(out, std::ios::binary | std::ios::ate);
  EXPECT_EQ(in.tellg(), 0x1000);
}

TEST(WalkerCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(runCli({"--image", image().image, "maps"}).exitCode, 2);
  const CliResult unknown = runCli({"--image", image().image, "maps", "--pid", "99999"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("pslist"), std::string::npos) << unknown.err;
  EXPECT_EQ(runCli({"--image", image().image, "dump", "--start", "0x1000"}).exitCode, 2);
}

TEST(WalkerCliTest, MismatchedProfileIsRefused) {
  const CliResult result =
      runCli({"--image", image().image, "--profile",
              sourceDir() + "/xnu_profiles/Sierra_10.12.6_16G29.json", "pslist"});
  EXPECT_NE(result.exitCode, 0);
  EXPECT_FALSE(result.err.empty());
}

}  // namespace
}  // namespace xnuscope::test
