// The forensic commands (psaux, lsof, mount, malfind, hooks) as a user runs them,
// on forge images of every real 10.x build, compared with the forge's truth; the
// negative controls (no hooks, no injection) and a profile that lacks a field.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

ForgedImage infected(const std::string& profile, const std::string& format = "raw") {
  return forgeImage({.profile = profile,
                     .seed = 41,
                     .ram = "128M",
                     .procs = 60,
                     .format = format,
                     .extraArgs = {"--hooks", "--inject", "--zombies", "1"}});
}

ForgedImage clean() {
  return forgeImage({.profile = "Sierra_10.12.6_16G29",
                     .seed = 42,
                     .ram = "128M",
                     .procs = 30,
                     .format = "raw",
                     .extraArgs = {}});
}

Json runJson(const ForgedImage& image, const std::vector<std::string>& args, int expectedExit = 0) {
  std::vector<std::string> full = {"--image", image.image, "--format", "json", "--quiet"};
  full.insert(full.end(), args.begin(), args.end());
  const CliResult result = runCli(full);
  EXPECT_EQ(result.exitCode, expectedExit) << result.err;
  if (result.exitCode != 0) return Json();
  return Json::parse(result.out);
}

void expectPsauxEqualsTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"psaux"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  std::map<int, Json> rows;
  for (const auto& row : doc["processes"]) rows[row["pid"].get<int>()] = row;
  const Json& truth = image.truth["psaux"];
  ASSERT_FALSE(truth.empty());
  std::size_t notResident = 0;
  for (const auto& want : truth) {
    const int pid = want["pid"];
    ASSERT_TRUE(rows.count(pid)) << "pid " << pid;
    const Json& got = rows[pid];
    EXPECT_EQ(got["status"], want["status"]) << "pid " << pid;
    EXPECT_EQ(got["argv"], want["argv"]) << "pid " << pid;
    EXPECT_EQ(got["env"], want["env"]) << "pid " << pid;
    EXPECT_EQ(got["exec_path"], want["exec_path"]) << "pid " << pid;
    EXPECT_EQ(got["argc"], want["argc"]) << "pid " << pid;
    EXPECT_EQ(got["user_stack"], want["user_stack"]) << "pid " << pid;
    notResident += want["status"] == "not resident";
  }
  EXPECT_GT(notResident, 0u) << "the forge should page out some argument areas";
  EXPECT_EQ(rows[0]["status"], "kernel");
  for (const auto& process : image.truth["processes"]) {
    if (process["zombie"] == true) {
      EXPECT_EQ(rows[process["pid"].get<int>()]["status"], "no address space");
    }
  }
}

void expectLsofEqualsTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"lsof"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  const Json& truth = image.truth["lsof"];
  ASSERT_EQ(doc["files"].size(), truth.size());
  std::map<std::pair<int, int>, Json> rows;
  for (const auto& row : doc["files"]) rows[{row["pid"].get<int>(), row["fd"].get<int>()}] = row;
  std::set<std::string> types;
  for (const auto& want : truth) {
    const auto key = std::make_pair(want["pid"].get<int>(), want["fd"].get<int>());
    ASSERT_TRUE(rows.count(key)) << "pid " << key.first << " fd " << key.second;
    const Json& got = rows[key];
    EXPECT_EQ(got["type"], want["type"]);
    EXPECT_EQ(got["path"], want["path"]);
    EXPECT_EQ(got["address"], want["address"]);
    if (want["type"] == "socket") {
      EXPECT_EQ(got["family"], want["family"]);
      EXPECT_EQ(got["socket_type"], want["socktype"]);
      EXPECT_EQ(got["protocol"], want["protocol"]);
    }
    types.insert(want["type"].get<std::string>());
  }
  EXPECT_EQ(types, (std::set<std::string>{"vnode", "socket", "pipe", "kqueue"}));
}

void expectMountEqualsTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"mount"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true);
  const Json& truth = image.truth["mounts"];
  ASSERT_EQ(doc["mounts"].size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    for (const char* key : {"on", "from", "fstype", "flags", "address"}) {
      EXPECT_EQ(doc["mounts"][i][key], truth[i][key]) << key << " mount " << i;
    }
  }
}

void expectMalfindEqualsTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"malfind"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  const Json& truth = image.truth["malfind"];
  ASSERT_EQ(doc["regions"].size(), truth.size()) << doc["regions"];
  std::map<std::string, Json> rows;
  for (const auto& row : doc["regions"])
    rows[std::to_string(row["pid"].get<int>()) + "@" + row["start"].get<std::string>()] = row;
  for (const auto& want : truth) {
    const std::string key =
        std::to_string(want["pid"].get<int>()) + "@" + want["start"].get<std::string>();
    ASSERT_TRUE(rows.count(key)) << key;
    const Json& got = rows[key];
    EXPECT_EQ(got["pid"], want["pid"]);
    EXPECT_EQ(got["start"], want["start"]);
    EXPECT_EQ(got["end"], want["end"]);
    EXPECT_EQ(got["prot"], want["prot"]);
    EXPECT_EQ(got["tag"], want["tag"]);
    EXPECT_EQ(got["anonymous"], want["anonymous"]);
    EXPECT_EQ(got["resident"], true);
    EXPECT_EQ(got["macho"].is_string(), want["macho"].get<bool>()) << got["macho"];
    if (want["macho"] == true) {
      EXPECT_EQ(got["macho"], "MH_BUNDLE (x86_64)");
    }
    ASSERT_FALSE(got["disassembly"].empty());
  }
}

void expectHooksEqualTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"hooks"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  const Json& truth = image.truth["hooks"];
  ASSERT_EQ(doc["hooks"].size(), truth.size()) << doc["hooks"];
  std::map<std::string, Json> got;
  for (const auto& row : doc["hooks"]) {
    got[row["table"].get<std::string>() + "/" + row["name"].get<std::string>()] = row;
  }
  for (const auto& want : truth) {
    const std::string key =
        want["table"].get<std::string>() + "/" + want["name"].get<std::string>();
    ASSERT_TRUE(got.count(key)) << key;
    EXPECT_EQ(got[key]["index"], want["index"]) << key;
    EXPECT_EQ(got[key]["kind"], want["kind"]) << key;
    EXPECT_EQ(got[key]["handler"], want["handler"]) << key;
    EXPECT_EQ(got[key]["target"], want["target"]) << key;
    EXPECT_EQ(got[key]["module"], want["kind"] == "inline" ? "kernel" : "unknown") << key;
    EXPECT_FALSE(got[key]["disassembly"].empty()) << key;
  }
  EXPECT_EQ(doc["sysent"]["address"], image.truth["sysent"]["address"]);
  EXPECT_EQ(doc["sysent"]["entries"], image.truth["sysent"]["count"]);
  EXPECT_EQ(doc["mach_trap_table"]["entries"], image.truth["mach_trap_table"]["count"]);
  EXPECT_EQ(doc["sysctl"]["oids"], image.truth["sysctl_oids"].size());
}

void expectNetstatEqualsTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"netstat"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  const Json& truth = image.truth["netstat"];
  ASSERT_EQ(doc["sockets"].size(), truth.size());
  std::set<std::string> protocols, states;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const Json& got = doc["sockets"][i];
    const Json& want = truth[i];
    for (const char* key : {"pcb", "pid", "fd", "proto", "local", "remote", "state"}) {
      EXPECT_EQ(got[key], want[key]) << key << " socket " << i;
    }
    EXPECT_EQ(got["source"], want["pid"].is_null() ? "pcb list" : "pcb list+descriptor");
    protocols.insert(want["proto"].get<std::string>());
    states.insert(want["state"].get<std::string>());
  }
  EXPECT_GE(protocols.size(), 3u);
  EXPECT_TRUE(states.count("TIME_WAIT"));
}

void expectIfconfigEqualsTruth(const ForgedImage& image) {
  const Json doc = runJson(image, {"ifconfig"});
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["complete"], true) << doc["warnings"];
  const Json& truth = image.truth["interfaces"];
  ASSERT_EQ(doc["interfaces"].size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(doc["interfaces"][i]["name"], truth[i]["name"]);
    EXPECT_EQ(doc["interfaces"][i]["index"], truth[i]["index"]);
    EXPECT_EQ(doc["interfaces"][i]["address"], truth[i]["address"]);
    EXPECT_EQ(doc["interfaces"][i]["addresses"], truth[i]["addresses"]) << truth[i]["name"];
  }
}

class ForensicsOnRealBuild : public ::testing::TestWithParam<std::string> {};

TEST_P(ForensicsOnRealBuild, EveryCommandEqualsTruth) {
  const ForgedImage image = infected(GetParam());
  expectPsauxEqualsTruth(image);
  expectLsofEqualsTruth(image);
  expectMountEqualsTruth(image);
  expectMalfindEqualsTruth(image);
  expectHooksEqualTruth(image);
  expectNetstatEqualsTruth(image);
  expectIfconfigEqualsTruth(image);
}

INSTANTIATE_TEST_SUITE_P(SixBuilds, ForensicsOnRealBuild, ::testing::ValuesIn(realBuilds()),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST(ForensicsCliTest, ElfAndLimeImagesGiveTheSameAnswers) {
  for (const char* format : {"elf", "lime"}) {
    const ForgedImage image = infected("HighSierra_10.13.1_17B48", format);
    expectLsofEqualsTruth(image);
    expectMalfindEqualsTruth(image);
    expectHooksEqualTruth(image);
  }
}

TEST(ForensicsCliTest, CleanImageHasNoHooksAndNoInjectedCode) {
  const ForgedImage image = clean();
  ASSERT_TRUE(image.truth["hooks"].empty());
  const Json hooks = runJson(image, {"hooks"});
  EXPECT_EQ(hooks["complete"], true);
  EXPECT_TRUE(hooks["hooks"].empty()) << hooks["hooks"];
  EXPECT_EQ(hooks["hooked"], 0);
  const Json all = runJson(image, {"hooks", "--all"});
  EXPECT_EQ(all["hooks"].size(), image.truth["sysent"]["count"].get<std::size_t>() +
                                     image.truth["mach_trap_table"]["count"].get<std::size_t>() +
                                     image.truth["sysctl_oids"].size());
  for (const auto& row : all["hooks"]) EXPECT_EQ(row["module"], "kernel") << row;
  expectMalfindEqualsTruth(image);
  for (const auto& region : image.truth["malfind"]) EXPECT_NE(region["kind"], "injected");
}

TEST(ForensicsCliTest, PidFilterAndUnknownPid) {
  const ForgedImage image = infected("HighSierra_10.13.6_17G65");
  const Json& target = image.truth["malfind"][0];
  const std::string pid = std::to_string(target["pid"].get<int>());
  const Json malfind = runJson(image, {"malfind", "--pid", pid});
  for (const auto& row : malfind["regions"]) EXPECT_EQ(row["pid"], target["pid"]);
  EXPECT_FALSE(malfind["regions"].empty());
  const Json lsof = runJson(image, {"lsof", "--pid", pid});
  ASSERT_FALSE(lsof["files"].empty());
  for (const auto& row : lsof["files"]) EXPECT_EQ(row["pid"], target["pid"]);
  for (const char* command : {"psaux", "lsof", "malfind"}) {
    const CliResult unknown =
        runCli({"--image", image.image, "--quiet", command, "--pid", "99999"});
    EXPECT_EQ(unknown.exitCode, 2) << command;
    EXPECT_NE(unknown.err.find("no process with pid 99999"), std::string::npos) << unknown.err;
  }
}

TEST(ForensicsCliTest, TableAndCsvPrintRows) {
  const ForgedImage image = infected("HighSierra_10.13.6_17G65");
  for (const char* command :
       {"psaux", "lsof", "mount", "malfind", "hooks", "netstat", "ifconfig"}) {
    for (const char* format : {"table", "csv"}) {
      const CliResult result =
          runCli({"--image", image.image, "--format", format, "--quiet", command});
      EXPECT_EQ(result.exitCode, 0) << command << " " << format << ": " << result.err;
      EXPECT_GT(std::count(result.out.begin(), result.out.end(), '\n'), 3)
          << command << " " << format;
    }
  }
  const CliResult hooks = runCli({"--image", image.image, "--quiet", "hooks"});
  EXPECT_NE(hooks.out.find("movabs rax"), std::string::npos) << hooks.out;
}

TEST(ForensicsCliTest, ProfileWithoutAFieldFailsOnlyThatCommand) {
  const ForgedImage image = infected("HighSierra_10.13.6_17G65");
  Json profile;
  std::ifstream(sourceDir() + "/xnu_profiles/HighSierra_10.13.6_17G65.json") >> profile;
  profile["structs"]["vnode"]["fields"].erase("v_name");
  profile["structs"]["proc"]["fields"].erase("p_argslen");
  const std::string path = scratchDir() + "/no-v_name.json";
  std::ofstream(path) << profile.dump();
  const auto run = [&](const char* command) {
    return runCli(
        {"--image", image.image, "--profile", path, "--format", "json", "--quiet", command});
  };
  const CliResult lsof = run("lsof");
  EXPECT_EQ(lsof.exitCode, 1);
  EXPECT_NE(lsof.err.find("vnode.v_name"), std::string::npos) << lsof.err;
  EXPECT_NE(lsof.err.find("lsof"), std::string::npos) << lsof.err;
  EXPECT_EQ(std::count(lsof.err.begin(), lsof.err.end(), '\n'), 1) << lsof.err;
  const CliResult psaux = run("psaux");
  EXPECT_EQ(psaux.exitCode, 1);
  EXPECT_NE(psaux.err.find("proc.p_argslen"), std::string::npos) << psaux.err;
  for (const char* still : {"pslist", "mount", "hooks", "malfind"}) {
    const CliResult result = run(still);
    EXPECT_EQ(result.exitCode, 0) << still << ": " << result.err;
  }
}

// The xnu-source macOS 13 and macOS 11 (kernel collection) layouts, read through
// the forge's ISF: psaux works; commands whose structs the layout does not
// describe fail with the missing field named.
TEST(ForensicsCliTest, PsauxOnXnuSourceLayouts) {
  for (const auto& layout : xnuSourceLayouts()) {
    const ForgedImage image = forgeImage({.profile = layout,
                                          .seed = 43,
                                          .ram = "128M",
                                          .procs = 20,
                                          .format = "raw",
                                          .extraArgs = {}});
    std::vector<std::string> args = {"--profile", image.isfPath};
    if (image.truth["is_kernel_collection"] == true) {
      args.insert(args.end(), {"--kernel", image.image + ".kernel"});
    }
    args.push_back("psaux");
    const Json doc = runJson(image, args);
    ASSERT_TRUE(doc.is_object()) << layout;
    std::map<int, Json> rows;
    for (const auto& row : doc["processes"]) rows[row["pid"].get<int>()] = row;
    ASSERT_FALSE(image.truth["psaux"].empty());
    for (const auto& want : image.truth["psaux"]) {
      const Json& got = rows[want["pid"].get<int>()];
      EXPECT_EQ(got["status"], want["status"]) << layout << " pid " << want["pid"];
      EXPECT_EQ(got["argv"], want["argv"]) << layout << " pid " << want["pid"];
      EXPECT_EQ(got["env"], want["env"]) << layout << " pid " << want["pid"];
    }
    args.back() = "lsof";
    std::vector<std::string> full = {"--image", image.image, "--format", "json", "--quiet"};
    full.insert(full.end(), args.begin(), args.end());
    const CliResult lsof = runCli(full);
    EXPECT_EQ(lsof.exitCode, 1) << layout;
    EXPECT_NE(lsof.err.find("proc.p_fd"), std::string::npos) << lsof.err;
  }
}

}  // namespace
}  // namespace xnuscope::test
