// `xnuscope beacons` and the pslist/maps fallback, run as a user would, over a
// sparse raw image that holds beacon pages but no kernel at all.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "BeaconTestPages.h"
#include "TestMemory.h"
#include "core/Error.h"
#include "engine/Target.h"
#include "support/CliRunner.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

struct BeaconImage {
  std::string path;
  std::vector<TestProcess> newest;  // session 4000, the newest
  std::vector<TestProcess> older;   // session 3000
};

// 64 MiB raw image: two Layout A sessions, a camera stream for pid 1 of the
// newest, torn and garbage pages, a Layout B session; scattered with a fixed seed.
const BeaconImage& beaconImage() {
  static const BeaconImage image = [] {
    BeaconImage built;
    TestMemory memory;
    memory.addRange(0, 64ull << 20);
    std::mt19937_64 rng(4242);
    built.newest = makeProcesses(130, 1);
    built.older = makeProcesses(20, 2);
    LayoutASessionBuilder newest(4000, 1750000000), older(3000, 1740000000);
    std::vector<Page> pages{newest.master(), older.master()};
    for (auto& p : newest.pidPages(12, built.newest)) pages.push_back(p);
    for (auto& p : older.pidPages(3, built.older)) pages.push_back(p);
    TestSection text;
    text.section = {1, 0x100000000ull, 0x100080000ull,
                    XB_PERM_READ | XB_PERM_EXEC | XB_PERM_PRIVATE, "/sbin/launchd"};
    TestSection heap;
    heap.section = {1, 0x7f0000000000ull, 0x7f0000100000ull,
                    XB_PERM_READ | XB_PERM_WRITE | XB_PERM_PRIVATE, "[heap]"};
    heap.ptes = {{XB_PTE_PRESENT, 0x7f0000000000ull, 0x40000000ull + 0x7f0000000000ull},
                 {XB_PTE_PRESENT, 0x7f0000001000ull, 0x3000000}};
    for (auto& p : newest.cameraPages(XB_CATEGORY_CAMERA1, 1, {text, heap})) pages.push_back(p);
    Page torn = older.pidPages(4, built.older)[0];
    tear(torn);
    pages.push_back(torn);
    for (int i = 0; i < 5; ++i) pages.push_back(magicGarbagePage(rng));
    for (auto& p : layoutBPages(5000, makeProcesses(45, 3))) pages.push_back(p);
    memory.scatter(pages, rng);
    built.path = scratchDir() + "/guest.raw";
    memory.writeSparseRaw(built.path);
    return built;
  }();
  return image;
}

Json runJson(const std::vector<std::string>& args, int expectedExit = 0) {
  const auto result = runCli(args);
  EXPECT_EQ(result.exitCode, expectedExit) << result.err;
  if (result.exitCode != expectedExit) return Json();
  return Json::parse(result.out);
}

TEST(BeaconCli, BeaconsReportsSessionsPagesProcessesAndRegions) {
  const auto& image = beaconImage();
  const Json doc = runJson({"beacons", "--image", image.path, "--format", "json"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["session"]["id"], 4000);
  EXPECT_EQ(doc["session"]["layout"], "A");
  EXPECT_EQ(doc["session"]["timestamp"], 1750000000);
  EXPECT_EQ(doc["session"]["generation"], 12);
  EXPECT_EQ(doc["pages"]["torn"], 1);
  EXPECT_EQ(doc["pages"]["garbage"], 5);
  ASSERT_EQ(doc["sessions"].size(), 3u);
  EXPECT_EQ(doc["sessions"][0]["selected"], true);
  EXPECT_EQ(doc["sessions"][1]["id"], 3000);
  EXPECT_EQ(doc["sessions"][2]["layout"], "B");
  ASSERT_EQ(doc["processes"].size(), image.newest.size());
  for (std::size_t i = 0; i < image.newest.size(); ++i) {
    EXPECT_EQ(doc["processes"][i]["pid"], image.newest[i].pid);
    EXPECT_EQ(doc["processes"][i]["name"], image.newest[i].name);
    EXPECT_EQ(doc["processes"][i]["source"], "beacon");
  }
  ASSERT_EQ(doc["regions"].size(), 2u);
  EXPECT_EQ(doc["regions"][0]["start"], "0x100000000");
  EXPECT_EQ(doc["regions"][0]["prot"], "r-x");
  EXPECT_EQ(doc["regions"][1]["path"], "[heap]");
  ASSERT_EQ(doc["ptes"].size(), 2u);
  EXPECT_EQ(doc["ptes"][0]["verified"], false);
  EXPECT_EQ(doc["ptes"][1]["verified"], true);
  EXPECT_EQ(doc["complete"], true);
}

TEST(BeaconCli, BeaconSessionOptionSelectsAnOlderSessionOrFailsClearly) {
  const auto& image = beaconImage();
  const Json doc =
      runJson({"--beacon-session", "3000", "beacons", "--image", image.path, "--format", "json"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["session"]["id"], 3000);
  EXPECT_EQ(doc["processes"].size(), image.older.size());

  const auto missing = runCli({"beacons", "--image", image.path, "--beacon-session", "77"});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find("no beacon session with that id"), std::string::npos) << missing.err;
}

TEST(BeaconCli, TableAndCsvPrintTheChosenRows) {
  const auto& image = beaconImage();
  const auto table = runCli({"beacons", "--image", image.path, "--quiet"});
  EXPECT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("beacon pages"), std::string::npos);
  EXPECT_NE(table.out.find("launchd"), std::string::npos);
  const auto csv =
      runCli({"beacons", "--image", image.path, "--format", "csv", "--rows", "regions"});
  EXPECT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("pid,start,end,prot,share,path\n", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find("/sbin/launchd"), std::string::npos);
  const auto bad = runCli({"beacons", "--image", image.path, "--rows", "bogus"});
  EXPECT_EQ(bad.exitCode, 2);
}

TEST(BeaconCli, AnImageWithoutBeaconsSaysSo) {
  TestMemory memory;
  memory.addRange(0, 8 << 20);
  const std::string path = scratchDir() + "/empty.raw";
  memory.writeSparseRaw(path);
  const Json doc = runJson({"beacons", "--image", path, "--format", "json"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_TRUE(doc["session"].is_null());
  EXPECT_EQ(doc["pages"]["found"], 0);
  EXPECT_EQ(doc["complete"], false);
}

// The full fallback: no kernel can be found, so pslist/maps answer from beacons.

TEST(BeaconCli, PslistAndMapsFallBackToBeaconsWithoutAKernel) {
  const auto& image = beaconImage();
  const Json ps = runJson({"pslist", "--image", image.path, "--format", "json"});
  ASSERT_TRUE(ps.is_object());
  ASSERT_EQ(ps["processes"].size(), image.newest.size());
  for (std::size_t i = 0; i < image.newest.size(); ++i) {
    EXPECT_EQ(ps["processes"][i]["pid"], image.newest[i].pid);
    EXPECT_EQ(ps["processes"][i]["ppid"], image.newest[i].ppid);
    EXPECT_EQ(ps["processes"][i]["source"], "beacon");
  }
  const Json maps = runJson({"maps", "--pid", "1", "--image", image.path, "--format", "json"});
  ASSERT_TRUE(maps.is_object());
  ASSERT_EQ(maps["maps"].size(), 2u);
  EXPECT_EQ(maps["maps"][0]["prot"], "r-x");
  EXPECT_EQ(maps["maps"][0]["source"], "beacon");
}

// The same fallback through the engine API: one ProcessSource, the beacon one.
TEST(BeaconCli, EngineTargetServesProcessesAndMapsFromBeacons) {
  const auto& image = beaconImage();
  const auto target = engine::Target::open({.image = image.path});
  EXPECT_EQ(target->processSource().source(), engine::ProfileSource::Beacon);
  const engine::ProcessList list = target->processes();
  EXPECT_EQ(list.source, engine::ProfileSource::Beacon);
  ASSERT_FALSE(list.warnings.empty());
  EXPECT_NE(list.warnings.front().find("kernel path unavailable"), std::string::npos);
  ASSERT_EQ(list.processes.size(), image.newest.size());
  for (std::size_t i = 0; i < image.newest.size(); ++i) {
    EXPECT_EQ(list.processes[i].pid, static_cast<std::int32_t>(image.newest[i].pid));
    EXPECT_EQ(list.processes[i].name, image.newest[i].name);
    EXPECT_EQ(list.processes[i].origin, engine::ProcessOrigin::Beacon);
    EXPECT_FALSE(list.processes[i].address.has_value());
  }
  const engine::MapList maps = target->maps(1);
  ASSERT_EQ(maps.entries.size(), 2u);
  EXPECT_EQ(maps.entries[0].origin, engine::MapOrigin::Beacon);
  EXPECT_EQ(maps.entries[0].path, "/sbin/launchd");
  EXPECT_FALSE(maps.entries[0].maxProtection.has_value());
  const engine::MapList none = target->maps(2);
  EXPECT_TRUE(none.entries.empty());
  EXPECT_FALSE(none.complete);
  // Kernel-only results have no beacon answer.
  EXPECT_THROW(target->kexts(), AnalysisError);
}

}  // namespace
}  // namespace xnuscope::test
