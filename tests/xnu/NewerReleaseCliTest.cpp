// macOS 12, 13, 14 and 15 kernel-collection guests read as a user would: pslist,
// pstree, maps, kexts and dmesg with the ISF written beside the image
// (`--profile IMAGE.isf.json`), and with the kernel file as well (`--kernel`), in
// raw, ELF and LiME, each equal to the forge's truth.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

struct CliCase {
  std::string layout;
  std::string format;
  bool withKernelFile = false;
};

std::vector<CliCase> cliCases() {
  std::vector<CliCase> cases;
  for (const char* layout : {"macos12-kc-xnu-source", "macos13-kc-xnu-source",
                             "macos14-kc-xnu-source", "macos15-kc-xnu-source"}) {
    for (const char* format : {"raw", "elf", "lime"}) {
      for (bool kernel : {false, true}) cases.push_back({layout, format, kernel});
    }
  }
  return cases;
}

void PrintTo(const CliCase& c, std::ostream* os) {
  *os << c.layout << " " << c.format << (c.withKernelFile ? " --kernel" : " ISF only");
}

class NewerReleaseCliTest : public ::testing::TestWithParam<CliCase> {
 protected:
  const ForgedImage& image() {
    if (!forged_) {
      forged_ = forgeImage({.profile = GetParam().layout,
                            .seed = 51,
                            .ram = "192M",
                            .procs = 14,
                            .format = GetParam().format,
                            .extraArgs = {"--zombies", "1"}});
    }
    return *forged_;
  }

  Json run(const std::vector<std::string>& command) {
    std::vector<std::string> args = {"--image",  image().image, "--profile", image().isfPath,
                                     "--format", "json",        "-q"};
    if (GetParam().withKernelFile) {
      args.push_back("--kernel");
      args.push_back(image().image + ".kernel");
    }
    args.insert(args.end(), command.begin(), command.end());
    const CliResult result = runCli(args);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return Json::parse(result.out);
  }

 private:
  std::optional<ForgedImage> forged_;
};

TEST_P(NewerReleaseCliTest, PslistAndPstreeEqualTruth) {
  const Json doc = run({"pslist"});
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  const Json& truth = image().truth["processes"];
  ASSERT_EQ(doc["processes"].size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const Json& row = doc["processes"][i];
    SCOPED_TRACE("row " + std::to_string(i));
    for (const char* key : {"pid", "ppid", "uid", "gid", "name", "comm", "address", "zombie"}) {
      EXPECT_EQ(row[key], truth[i][key]) << key;
    }
    EXPECT_EQ(row["start_time_epoch"], truth[i]["start_time"]);
    EXPECT_EQ(row["task"], truth[i]["task"]);
    EXPECT_EQ(row["pmap_cr3"], truth[i]["pmap_cr3"]);
  }
  const Json tree = run({"pstree"});
  ASSERT_EQ(tree["processes"].size(), truth.size());
  EXPECT_EQ(tree["processes"][0]["pid"], 0);
  std::map<int, int> depth;
  for (const auto& row : tree["processes"]) depth[row["pid"].get<int>()] = row["depth"];
  for (const auto& process : truth) {
    const int pid = process["pid"], ppid = process["ppid"];
    if (pid == 0 || !depth.count(ppid) || ppid == pid) continue;
    EXPECT_EQ(depth[pid], depth[ppid] + 1) << "pid " << pid;
  }
}

TEST_P(NewerReleaseCliTest, MapsEqualTruth) {
  // kernel_task, launchd and the newest process (one CLI run each).
  std::vector<Json> chosen;
  for (const auto& process : image().truth["processes"]) {
    const int pid = process["pid"];
    if (!process["zombie"].get<bool>() && (pid <= 1 || chosen.empty())) chosen.push_back(process);
  }
  ASSERT_EQ(chosen.size(), 3u);
  for (const auto& process : chosen) {
    const Json doc = run({"maps", "--pid", std::to_string(process["pid"].get<int>())});
    SCOPED_TRACE("pid " + std::to_string(process["pid"].get<int>()));
    EXPECT_EQ(doc["complete"], true) << doc["warnings"];
    ASSERT_EQ(doc["maps"].size(), process["maps"].size());
    for (std::size_t i = 0; i < doc["maps"].size(); ++i) {
      for (const char* key : {"start", "end", "prot", "maxprot", "inheritance", "offset", "tag",
                              "object", "is_submap"}) {
        EXPECT_EQ(doc["maps"][i][key], process["maps"][i][key]) << key << " row " << i;
      }
    }
  }
}

TEST_P(NewerReleaseCliTest, KextsAndDmesgEqualTruth) {
  const Json kexts = run({"kexts"});
  EXPECT_EQ(kexts["complete"], true) << kexts["warnings"];
  std::set<std::pair<std::string, std::string>> got, want;
  for (const auto& k : kexts["kexts"]) {
    got.emplace(k["name"].get<std::string>(), k["address"].get<std::string>());
  }
  for (const auto& k : image().truth["kexts"]) {
    want.emplace(k["name"].get<std::string>(), k["address"].get<std::string>());
  }
  EXPECT_EQ(got, want);
  const Json dmesg = run({"dmesg"});
  EXPECT_EQ(dmesg["address"], image().truth["msgbuf"]["address"]);
  const std::string truthText = image().truth["msgbuf"]["text"];
  ASSERT_GT(dmesg["messages"].size(), 10u);
  for (const auto& line : dmesg["messages"]) {
    EXPECT_NE(truthText.find(line.get<std::string>()), std::string::npos) << line;
  }
}

// Profile import and auto-selection: the four ISFs imported with `profile import`
// into one profile directory; without --profile (and without --kernel) each guest
// gets its own release's profile by banner and pslist equals truth.
TEST(NewerReleaseAutoSelectionTest, ImportedIsfsAreChosenByBanner) {
  const std::string dir = scratchDir() + "/imported-profiles";
  std::filesystem::create_directories(dir);
  std::vector<ForgedImage> images;
  for (const char* layout : {"macos12-kc-xnu-source", "macos13-kc-xnu-source",
                             "macos14-kc-xnu-source", "macos15-kc-xnu-source"}) {
    images.push_back(
        forgeImage({.profile = layout, .seed = 52, .ram = "128M", .procs = 10, .extraArgs = {}}));
    const CliResult imported =
        runCli({"profile", "import", "--isf", images.back().isfPath, "--name",
                std::string("forge-") + layout, "-o", dir, "--symbols-dir", dir});
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
  }
  ASSERT_EQ(setenv("XNUSCOPE_PROFILES", dir.c_str(), 1), 0);
  for (const auto& forged : images) {
    SCOPED_TRACE(forged.truth["profile_name"].get<std::string>());
    const CliResult info = runCli({"--image", forged.image, "--format", "json", "-q", "info"});
    ASSERT_EQ(info.exitCode, 0) << info.err;
    EXPECT_NE(info.out.find("forge-" + forged.truth["profile_name"].get<std::string>()),
              std::string::npos)
        << info.out.substr(0, 2000);
    const CliResult pslist = runCli({"--image", forged.image, "--format", "json", "-q", "pslist"});
    ASSERT_EQ(pslist.exitCode, 0) << pslist.err;
    const Json doc = Json::parse(pslist.out);
    EXPECT_EQ(doc["complete"], true) << doc["warnings"];
    const Json& truth = forged.truth["processes"];
    ASSERT_EQ(doc["processes"].size(), truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) {
      EXPECT_EQ(doc["processes"][i]["pid"], truth[i]["pid"]);
      EXPECT_EQ(doc["processes"][i]["uid"], truth[i]["uid"]);
      EXPECT_EQ(doc["processes"][i]["name"], truth[i]["name"]);
    }
  }
  unsetenv("XNUSCOPE_PROFILES");
}

// A hostile q35 guest of each release through the CLI with the ISF alone: allproc
// smeared, a decoy banner, no lowGlo page. pslist says it is incomplete and still
// lists every live process (allproc up to the smear, the rest from the task queue
// and, on 14/15, the pid hash); kexts and dmesg are unaffected.
TEST(NewerReleaseHostileCliTest, SmearedQ35GuestsStillListEveryLiveProcess) {
  for (const char* layout : {"macos12-kc-xnu-source", "macos13-kc-xnu-source",
                             "macos14-kc-xnu-source", "macos15-kc-xnu-source"}) {
    SCOPED_TRACE(layout);
    const ForgedImage forged =
        forgeImage({.profile = layout,
                    .seed = 53,
                    .ram = "3G",
                    .procs = 16,
                    .format = "elf",
                    .extraArgs = {"--smear", "dangling", "--decoy-banner", "--zero-lowglo"}});
    auto run = [&](const std::string& command) {
      const CliResult result = runCli({"--image", forged.image, "--profile", forged.isfPath,
                                       "--format", "json", "-q", command});
      EXPECT_EQ(result.exitCode, 0) << result.err;
      return Json::parse(result.out);
    };
    const Json doc = run("pslist");
    EXPECT_EQ(doc["complete"], false);
    std::set<int> got, want;
    for (const auto& row : doc["processes"]) got.insert(row["pid"].get<int>());
    for (const auto& process : forged.truth["processes"]) want.insert(process["pid"].get<int>());
    EXPECT_EQ(got, want);
    EXPECT_EQ(run("kexts")["kexts"].size(), forged.truth["kexts"].size());
    EXPECT_EQ(run("dmesg")["address"], forged.truth["msgbuf"]["address"]);
  }
}

INSTANTIATE_TEST_SUITE_P(Releases, NewerReleaseCliTest, ::testing::ValuesIn(cliCases()),
                         [](const auto& info) {
                           return info.param.layout.substr(0, 7) + "_" + info.param.format +
                                  (info.param.withKernelFile ? "_kernel" : "_isf");
                         });

}  // namespace
}  // namespace xnuscope::test
