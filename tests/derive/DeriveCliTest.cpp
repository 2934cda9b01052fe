// Derivation end to end: on forge images of every build (accessors compiled by
// clang-14 from the XNU semantics), `--profile derive` must give the same JSON as
// the exact profile, the derived offsets must equal the real ones, every field
// carries evidence, and a broken accessor makes its field underivable (exit 1,
// field named) instead of guessed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

ForgedImage forged(const std::string& profile, std::vector<std::string> extra = {}) {
  return forgeImage(
      {.profile = profile, .seed = 31, .ram = "128M", .procs = 12, .extraArgs = std::move(extra)});
}

CliResult run(const ForgedImage& img, std::vector<std::string> args) {
  std::vector<std::string> full = {"--image", img.image, "--format", "json"};
  full.insert(full.end(), args.begin(), args.end());
  return runCli(full);
}

// The same report through a derived and an exact profile: reports that name where
// their layout came from ("source") say so, and may differ only there.
void expectSameReport(const std::string& derivedOut, const std::string& exactOut,
                      const std::string& what) {
  Json derivedDoc = Json::parse(derivedOut);
  Json exactDoc = Json::parse(exactOut);
  if (derivedDoc.contains("source")) {
    EXPECT_EQ(derivedDoc["source"], "derived") << what;
    EXPECT_EQ(exactDoc["source"], "exact") << what;
    derivedDoc.erase("source");
    exactDoc.erase("source");
  }
  EXPECT_EQ(derivedDoc, exactDoc) << what;
}

// Every walker command gives the same JSON through the derived profile as through `reference`.
void expectSameAsReference(const ForgedImage& img, const std::vector<std::string>& reference) {
  const std::string pid1 = "1";
  for (const std::vector<std::string>& command : {std::vector<std::string>{"pslist"},
                                                  {"pstree"},
                                                  {"kexts"},
                                                  {"dmesg"},
                                                  {"maps", "--pid", pid1}}) {
    std::vector<std::string> derived = {"--kernel", img.image + ".kernel", "--profile", "derive"};
    derived.insert(derived.end(), command.begin(), command.end());
    std::vector<std::string> exact = reference;
    exact.insert(exact.end(), command.begin(), command.end());
    const CliResult a = run(img, derived);
    const CliResult b = run(img, exact);
    ASSERT_EQ(a.exitCode, 0) << command[0] << ": " << a.err;
    ASSERT_EQ(b.exitCode, 0) << command[0] << ": " << b.err;
    expectSameReport(a.out, b.out, img.image + " " + command[0]);
    EXPECT_NE(a.err.find("derived the profile"), std::string::npos) << a.err;
  }
}

TEST(DeriveCliTest, EveryRealBuildDerivedEqualsExactProfile) {
  for (const auto& build : realBuilds()) {
    SCOPED_TRACE(build);
    const ForgedImage img = forged(build);  // __LINKEDIT jettisoned: symbols from --kernel
    expectSameAsReference(img, {});
    const Json truth = img.truth;
    const Json pslist = Json::parse(
        run(img, {"--kernel", img.image + ".kernel", "--profile", "derive", "pslist"}).out);
    ASSERT_EQ(pslist["processes"].size(), truth["processes"].size());
    for (std::size_t i = 0; i < pslist["processes"].size(); ++i) {
      EXPECT_EQ(pslist["processes"][i]["pid"], truth["processes"][i]["pid"]);
      EXPECT_EQ(pslist["processes"][i]["name"], truth["processes"][i]["name"]);
      EXPECT_EQ(pslist["processes"][i]["uid"], truth["processes"][i]["uid"]);
    }
  }
}

TEST(DeriveCliTest, XnuSourceLayoutsAndKernelCollection) {
  for (const auto& layout : xnuSourceLayouts()) {
    SCOPED_TRACE(layout);
    const ForgedImage img = forged(layout);
    expectSameAsReference(img, {"--kernel", img.image + ".kernel", "--profile", img.isfPath});
  }
}

TEST(DeriveCliTest, UnknownBuildWithResidentSymbolsNeedsNoOption) {
  const ForgedImage img = forged("macos13-xnu-source", {"--keepsyms"});
  const CliResult info = run(img, {"info"});
  ASSERT_EQ(info.exitCode, 0) << info.err;
  const Json doc = Json::parse(info.out);
  EXPECT_EQ(doc["profile_kind"], "derived");
  EXPECT_EQ(doc["profile_source"], "derived (kernel code and data)");
  EXPECT_NE(doc["warnings"].dump().find("no profile matched"), std::string::npos)
      << doc["warnings"];
  const CliResult a = run(img, {"pslist"});
  EXPECT_NE(a.err.find("no profile matched"), std::string::npos) << a.err;  // said on stderr
  const CliResult b =
      run(img, {"--kernel", img.image + ".kernel", "--profile", img.isfPath, "pslist"});
  ASSERT_EQ(a.exitCode, 0) << a.err;
  EXPECT_EQ(Json::parse(a.out), Json::parse(b.out));
}

TEST(DeriveCliTest, DerivedOffsetsEqualTheRealProfileWithEvidence) {
  const std::string build = "HighSierra_10.13.6_17G65";
  const ForgedImage img = forged(build, {"--keepsyms"});
  const auto dir =
      std::filesystem::temp_directory_path() / ("xnuscope-derive-" + std::to_string(::getpid()));
  const CliResult r = run(img, {"profile", "derive", "-o", dir.string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json summary = Json::parse(r.out);
  std::ifstream in(summary["path"].get<std::string>());
  const Json derived = Json::parse(in);
  EXPECT_EQ(derived["layout_source"], "derived");
  std::ifstream realIn(sourceDir() + "/xnu_profiles/HighSierra_10.13.6_17G65.json");
  const Json real = Json::parse(realIn);
  auto offset = [](const Json& profile, const std::string& s, const std::string& f) {
    return profile["structs"][s]["fields"][f]["offset"];
  };
  for (const auto& [s, f] :
       std::vector<std::pair<std::string, std::string>>{{"proc", "p_pid"},
                                                        {"proc", "p_ppid"},
                                                        {"proc", "p_pptr"},
                                                        {"proc", "task"},
                                                        {"proc", "p_ucred"},
                                                        {"proc", "p_comm"},
                                                        {"proc", "p_name"},
                                                        {"proc", "p_start"},
                                                        {"proc", "p_list"},
                                                        {"task", "map"},
                                                        {"task", "bsd_info"},
                                                        {"task", "tasks"},
                                                        {"_vm_map", "pmap"},
                                                        {"_vm_map", "hdr"},
                                                        {"pmap", "pm_cr3"},
                                                        {"vm_map_entry", "protection"},
                                                        {"vm_map_entry", "max_protection"},
                                                        {"vm_map_entry", "inheritance"},
                                                        {"vm_map_entry", "is_sub_map"},
                                                        {"vm_map_entry", "vme_object"},
                                                        {"vm_map_entry", "vme_offset"}}) {
    EXPECT_EQ(offset(derived, s, f), offset(real, s, f)) << s << "." << f;
  }
  for (const char* bits : {"protection", "max_protection", "inheritance"}) {
    EXPECT_EQ(derived["structs"]["vm_map_entry"]["fields"][bits]["bits"],
              real["structs"]["vm_map_entry"]["fields"][bits]["bits"])
        << bits;
  }
  for (const auto& field : derived["derivation"]["fields"]) {
    if (!field["derived"].get<bool>()) continue;
    EXPECT_FALSE(field["evidence"].empty()) << field["field"];
  }
  // the code fact is printed by Capstone from the compiled accessor
  bool sawPidEvidence = false;
  for (const auto& field : derived["derivation"]["fields"]) {
    if (field["field"] != "proc.p_pid") continue;
    for (const auto& line : field["evidence"]) {
      sawPidEvidence |=
          line.get<std::string>().find("mov eax, dword ptr [rdi + 0x10]") != std::string::npos;
    }
    EXPECT_GE(field["evidence"].size(), 2u);  // code + data
  }
  EXPECT_TRUE(sawPidEvidence);
  std::filesystem::remove_all(dir);
}

TEST(DeriveCliTest, BrokenAccessorIsNamedNotGuessed) {
  const ForgedImage img =
      forged("Sierra_10.12.6_16G29", {"--keepsyms", "--break-accessor", "_kauth_cred_getuid"});
  const CliResult r = run(img, {"--profile", "derive", "pslist"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("ucred.cr_posix.cr_uid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("_kauth_cred_getuid"), std::string::npos) << r.err;
}

TEST(DeriveCliTest, JettisonedSymbolsWithoutKernelFileSayWhatToDo) {
  // 12 processes, all root: even by data the credentials cannot be told apart.
  const ForgedImage img = forged("ElCapitan_10.11.6_15G1212");
  const CliResult r = run(img, {"--profile", "derive", "pslist"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("--kernel"), std::string::npos) << r.err;
}

// __LINKEDIT jettisoned and no kernel file: kernproc, allproc and the tasks queue
// (and _kmod, _msgbufp) are found by the invariants of their data; what the data
// cannot decide alone is named, and the written profile says why.
TEST(DeriveCliTest, JettisonedSymbolsFoundByDataInvariants) {
  const ForgedImage img = forgeImage({.profile = "HighSierra_10.13.6_17G65",
                                      .seed = 5,
                                      .ram = "128M",
                                      .procs = 40,
                                      .extraArgs = {}});
  const auto dir = std::filesystem::temp_directory_path() /
                   ("xnuscope-derive-data-" + std::to_string(::getpid()));
  const CliResult r = run(img, {"profile", "derive", "-o", dir.string()});
  EXPECT_EQ(r.exitCode, 1) << r.err;  // incomplete: written, walkers refused
  const Json summary = Json::parse(r.out);
  EXPECT_EQ(summary["complete"], false);
  std::ifstream in(summary["path"].get<std::string>());
  const Json derived = Json::parse(in);
  const std::uint64_t slide = std::stoull(img.truth["kaslr_slide"].get<std::string>(), nullptr, 16);
  for (const char* name : {"_allproc", "_kernproc", "_tasks", "_kmod", "_msgbufp"}) {
    const std::uint64_t unslid =
        std::stoull(derived["symbols"][name].get<std::string>(), nullptr, 16);
    EXPECT_EQ(unslid + slide,
              std::stoull(img.truth["symbols_runtime"][name].get<std::string>(), nullptr, 16))
        << name;
  }
  EXPECT_EQ(derived["derivation"]["symbols"], "data invariants in __DATA (no symbol table)");
  bool pidNamed = false;
  for (const auto& field : derived["derivation"]["fields"]) {
    if (field["field"] == "proc.p_pid") {
      EXPECT_FALSE(field["derived"].get<bool>());  // p_pid and p_pgrpid columns are identical here
      pidNamed =
          field["underivable"].get<std::string>().find("look like pids") != std::string::npos;
    }
  }
  EXPECT_TRUE(pidNamed);
  const CliResult walk = run(img, {"--profile", "derive", "pslist"});
  EXPECT_EQ(walk.exitCode, 1);
  EXPECT_NE(walk.err.find("proc.p_pid"), std::string::npos) << walk.err;
  EXPECT_NE(walk.err.find("--kernel"), std::string::npos) << walk.err;
  std::filesystem::remove_all(dir);
}

// No symbols at all and no kernel file, on images with enough processes for the
// data to decide (non-root users, shells' children in their process groups):
// every walker command equals the exact profile's on all six builds.
TEST(DeriveCliTest, JettisonedEveryBuildDerivedFromDataAlone) {
  for (const auto& build : realBuilds()) {
    SCOPED_TRACE(build);
    const ForgedImage img =
        forgeImage({.profile = build, .seed = 5, .ram = "256M", .procs = 80, .extraArgs = {}});
    for (const std::vector<std::string>& command : {std::vector<std::string>{"pslist"},
                                                    {"pstree"},
                                                    {"kexts"},
                                                    {"dmesg"},
                                                    {"maps", "--pid", "1"}}) {
      std::vector<std::string> derived = {"--profile", "derive"};
      derived.insert(derived.end(), command.begin(), command.end());
      const CliResult a = run(img, derived);
      const CliResult b = run(img, command);
      ASSERT_EQ(a.exitCode, 0) << command[0] << ": " << a.err;
      ASSERT_EQ(b.exitCode, 0) << command[0] << ": " << b.err;
      expectSameReport(a.out, b.out, command[0]);
      EXPECT_NE(a.err.find("data invariants in __DATA"), std::string::npos) << a.err;
    }
  }
}

TEST(DeriveCliTest, DisasmPrintsTheCompiledAccessor) {
  const ForgedImage img = forged("HighSierra_10.13.6_17G65");
  const CliResult r = run(img, {"disasm", "proc_pid", "--count", "8"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json doc = Json::parse(r.out);
  bool load = false;
  for (const auto& insn : doc["instructions"]) {
    load |= insn["instruction"] == "mov eax, dword ptr [rdi + 0x10]";
  }
  EXPECT_TRUE(load) << r.out;
  EXPECT_EQ(run(img, {"disasm", "no_such_symbol"}).exitCode, 2);
}

}  // namespace
}  // namespace xnuscope::test
