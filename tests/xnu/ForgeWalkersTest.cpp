// The engine against forge images (fixtures/forge, an independent oracle): every
// process, map entry, resident page, kext and the message buffer a Target hands
// out must equal the forge's truth, for the six real builds, the image formats,
// and the hostile variants. The Target resolves kernel and profile itself, as the
// CLI and Python do (auto selection from xnu_profiles/, or the forge's ISF).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "engine/Target.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/Sha256.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

std::uint64_t hexValue(const Json& value) {
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

// Whether a Guest is opened with the kernel file the forge wrote beside the image.
enum class KernelFileGiven { IfCollection, No, Yes };

// A Target over a forged image, opened the way a user would: `profile` is "auto"
// (the committed xnu_profiles/, chosen by UUID then banner) or a profile file; a
// kernel collection also gets the kernel file the forge wrote beside the image
// unless `kernelFile` says otherwise.
struct Guest {
  Guest(const ForgedImage& forged, const std::string& profile,
        KernelFileGiven kernelFile = KernelFileGiven::IfCollection)
      : image(forged),
        target(engine::Target::open({.image = forged.image,
                                     .profile = profile,
                                     .kernelFile = withKernelFile(forged, kernelFile)
                                                       ? forged.image + ".kernel"
                                                       : std::string(),
                                     .profileDirectories = {sourceDir() + "/xnu_profiles"}})) {}
  static bool withKernelFile(const ForgedImage& forged, KernelFileGiven given) {
    if (given == KernelFileGiven::IfCollection) {
      return forged.truth.value("is_kernel_collection", false);
    }
    return given == KernelFileGiven::Yes;
  }
  ForgedImage image;
  std::unique_ptr<engine::Target> target;
};

const Json& truthProcess(const Json& truth, std::uint64_t address) {
  for (const auto& p : truth["processes"]) {
    if (hexValue(p["address"]) == address) return p;
  }
  static const Json none;
  return none;
}

void expectProcessMatches(const engine::Process& got, const Json& want) {
  SCOPED_TRACE("pid " + std::to_string(got.pid) + " " + got.name);
  ASSERT_FALSE(want.is_null()) << "walker produced a proc the forge did not make";
  EXPECT_EQ(got.pid, want["pid"].get<int>());
  EXPECT_EQ(got.ppid, want["ppid"].get<int>());
  ASSERT_TRUE(got.uid.has_value());
  EXPECT_EQ(*got.uid, want["uid"].get<std::uint32_t>());
  EXPECT_EQ(got.comm, want["comm"].get<std::string>());
  EXPECT_EQ(got.name, want["name"].get<std::string>());
  EXPECT_EQ(got.zombie, want["zombie"].get<bool>());
  EXPECT_EQ(got.origin == engine::ProcessOrigin::Beacon, false);
  if (want["task"].is_null()) {
    EXPECT_FALSE(got.task.has_value());
  } else {
    EXPECT_EQ(got.task, hexValue(want["task"]));
    EXPECT_EQ(got.map, hexValue(want["map"]));
    ASSERT_TRUE(got.pmapCr3.has_value());
    EXPECT_EQ(*got.pmapCr3, hexValue(want["pmap_cr3"]));
  }
  ASSERT_TRUE(got.startSeconds.has_value());
  EXPECT_EQ(*got.startSeconds, want["start_time"].get<std::int64_t>());
}

void expectMapsMatch(const engine::MapList& listing, const Json& want) {
  ASSERT_EQ(listing.entries.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& got = listing.entries[i];
    const auto& w = want[i];
    SCOPED_TRACE("entry " + std::to_string(i) + " " + w["start"].get<std::string>());
    EXPECT_EQ(got.start, hexValue(w["start"]));
    EXPECT_EQ(got.end, hexValue(w["end"]));
    EXPECT_EQ(engine::protectionText(got.protection), w["prot"].get<std::string>());
    ASSERT_TRUE(got.maxProtection && got.inheritance);
    EXPECT_EQ(engine::protectionText(*got.maxProtection), w["maxprot"].get<std::string>());
    EXPECT_EQ(engine::inheritanceText(*got.inheritance), w["inheritance"].get<std::string>());
    EXPECT_EQ(got.offset, hexValue(w["offset"]));
    EXPECT_EQ(got.tag, w["tag"].get<std::uint32_t>());
    EXPECT_EQ(got.isSubmap, w["is_submap"].get<bool>());
    EXPECT_EQ(got.object, hexValue(w["object"]));
  }
}

// pslist, maps of every process, kexts, dmesg and resident pages against truth.
void expectEverythingMatches(const Guest& guest) {
  const Json& truth = guest.image.truth;
  engine::Target& target = *guest.target;
  const engine::ProcessList list = target.processes();
  EXPECT_EQ(list.source, engine::ProfileSource::Exact);
  EXPECT_TRUE(list.complete) << ::testing::PrintToString(list.warnings);
  ASSERT_EQ(list.processes.size(), truth["processes"].size());
  for (std::size_t i = 0; i < list.processes.size(); ++i) {
    const engine::Process& got = list.processes[i];
    const Json& want = truth["processes"][i];  // same order: allproc, then zombproc
    ASSERT_TRUE(got.address.has_value());
    EXPECT_EQ(*got.address, hexValue(want["address"])) << "order differs at row " << i;
    expectProcessMatches(got, truthProcess(truth, *got.address));
    EXPECT_EQ(got.inAllproc, want["in_allproc"].get<bool>());
    EXPECT_EQ(got.inTasksQueue, want["in_tasks_queue"].get<bool>());
  }

  for (const auto& process : list.processes) {
    if (!process.map || process.zombie) continue;
    const Json& want = truthProcess(truth, *process.address);
    const engine::MapList maps = target.maps(process.pid);
    EXPECT_TRUE(maps.complete) << ::testing::PrintToString(maps.warnings);
    EXPECT_EQ(maps.map, process.map);
    expectMapsMatch(maps, want["maps"]);
    // Resident pages read through the process' own pmap hash like the forge's.
    for (const auto& page : want["resident_pages"]) {
      const engine::VirtualRead read = target.readVirtual(process.pid, hexValue(page["va"]), 4096);
      ASSERT_TRUE(read.complete()) << page["va"];
      EXPECT_EQ(read.space.root, process.pmapCr3);
      const std::string bytes(read.bytes.begin(), read.bytes.end());
      EXPECT_EQ(sha256Hex(bytes), page["sha256"].get<std::string>()) << page["va"];
    }
  }

  const KextListing kexts = target.kexts();
  EXPECT_TRUE(kexts.status.complete) << ::testing::PrintToString(kexts.status.warnings);
  std::map<std::string, const KextRecord*> byName;
  for (const auto& kext : kexts.kexts) byName[kext.name] = &kext;
  EXPECT_EQ(kexts.kexts.size(), truth["kexts"].size());
  for (const auto& want : truth["kexts"]) {
    const auto it = byName.find(want["name"].get<std::string>());
    ASSERT_NE(it, byName.end()) << want["name"];
    EXPECT_EQ(it->second->address, hexValue(want["address"]));
    EXPECT_EQ(it->second->size, hexValue(want["size"]));
    EXPECT_EQ(it->second->version, want["version"].get<std::string>());
  }

  const MessageBuffer buffer = target.dmesg();
  EXPECT_TRUE(buffer.status.complete);
  EXPECT_EQ(buffer.address, hexValue(truth["msgbuf"]["address"]));
  EXPECT_EQ(buffer.text, truth["msgbuf"]["text"].get<std::string>());
}

class RealBuildWalkersTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RealBuildWalkersTest, EverythingMatchesForgeTruth) {
  const ForgedImage forged = forgeImage({.profile = GetParam(),
                                         .seed = 11,
                                         .ram = "128M",
                                         .procs = 20,
                                         .extraArgs = {"--zombies", "2"}});
  const Guest guest(forged, "auto");
  expectEverythingMatches(guest);
}

INSTANTIATE_TEST_SUITE_P(SixBuilds, RealBuildWalkersTest, ::testing::ValuesIn(realBuilds()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

class ImageFormatWalkersTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ImageFormatWalkersTest, EverythingMatchesForgeTruth) {
  const ForgedImage forged = forgeImage({.profile = "Sierra_10.12.6_16G29",
                                         .seed = 5,
                                         .ram = "128M",
                                         .procs = 15,
                                         .format = GetParam(),
                                         .extraArgs = {"--zombies", "1"}});
  const Guest guest(forged, "auto");
  expectEverythingMatches(guest);
}

INSTANTIATE_TEST_SUITE_P(Formats, ImageFormatWalkersTest, ::testing::Values("raw", "elf", "lime"));

std::set<int> pidsOf(const engine::ProcessList& listing) {
  std::set<int> pids;
  for (const auto& p : listing.processes) pids.insert(p.pid);
  return pids;
}

std::set<int> truthPids(const Json& list) {
  std::set<int> pids;
  for (const auto& pid : list) pids.insert(pid.get<int>());
  return pids;
}

class SmearedAllprocTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SmearedAllprocTest, TaskQueueRecoversWhatAllprocLost) {
  const ForgedImage forged = forgeImage({.profile = "HighSierra_10.13.6_17G65",
                                         .seed = 3,
                                         .ram = "128M",
                                         .procs = 25,
                                         .extraArgs = {"--smear", GetParam()}});
  const Guest guest(forged, "auto");
  const engine::ProcessList listing = guest.target->processes();
  EXPECT_FALSE(listing.complete);
  ASSERT_FALSE(listing.warnings.empty());
  EXPECT_NE(listing.warnings.front().find("allproc"), std::string::npos)
      << listing.warnings.front();
  const Json& recoverable = forged.truth["expected_recoverable"];
  std::set<int> expected = truthPids(recoverable["pids_via_allproc"]);
  const auto viaTasks = truthPids(recoverable["pids_via_tasks"]);
  expected.insert(viaTasks.begin(), viaTasks.end());
  EXPECT_EQ(pidsOf(listing), expected);
  // Every row is a real process, with the truth's fields.
  for (const auto& p : listing.processes) {
    expectProcessMatches(p, truthProcess(forged.truth, p.address.value_or(0)));
  }
  // Rows only the task queue had are marked as such.
  const auto viaAllproc = truthPids(recoverable["pids_via_allproc"]);
  for (const auto& p : listing.processes) {
    EXPECT_EQ(p.origin == engine::ProcessOrigin::Tasks, viaAllproc.count(p.pid) == 0) << p.pid;
  }
}

INSTANTIATE_TEST_SUITE_P(Smears, SmearedAllprocTest, ::testing::Values("dangling", "cycle"));

// macOS 13 (task = proc + sizeof(proc), p_proc_ro, packed vme_object) and the
// macOS 11 kernel collection (per-segment slides): offsets worked out from the XNU
// source by the forge, so the only profile is the ISF it writes beside the image.
class XnuSourceLayoutWalkersTest : public ::testing::TestWithParam<std::string> {};

TEST_P(XnuSourceLayoutWalkersTest, EverythingMatchesForgeTruth) {
  const ForgedImage forged = forgeImage({.profile = GetParam(),
                                         .seed = 13,
                                         .ram = "128M",
                                         .procs = 20,
                                         .extraArgs = {"--zombies", "2"}});
  ASSERT_EQ(forged.truth["layout_source"], "xnu-source");
  const Guest guest(forged, forged.isfPath);
  expectEverythingMatches(guest);
}

TEST_P(XnuSourceLayoutWalkersTest, DanglingSmearIsRecoveredThroughTasks) {
  const ForgedImage forged = forgeImage({.profile = GetParam(),
                                         .seed = 14,
                                         .ram = "128M",
                                         .procs = 20,
                                         .extraArgs = {"--smear", "dangling"}});
  const Guest guest(forged, forged.isfPath);
  const engine::ProcessList listing = guest.target->processes();
  EXPECT_FALSE(listing.complete);
  const Json& recoverable = forged.truth["expected_recoverable"];
  std::set<int> expected = truthPids(recoverable["pids_via_allproc"]);
  const auto viaTasks = truthPids(recoverable["pids_via_tasks"]);
  expected.insert(viaTasks.begin(), viaTasks.end());
  EXPECT_EQ(pidsOf(listing), expected);
}

INSTANTIATE_TEST_SUITE_P(Layouts, XnuSourceLayoutWalkersTest,
                         ::testing::ValuesIn(xnuSourceLayouts()), [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// macOS 12-15 as they boot: a kernel collection (per-segment slides) with the
// release's structs (proc_ro, task behind proc from 13, packed vm_map_entry from 13,
// 4-bit protections from 12). Read with the ISF alone (segments placed by profile
// symbols) and with the kernel file's segment table (--kernel), in every format, on
// a q35 guest whose RAM is split around the PCI hole.
struct ReleaseCase {
  std::string layout;
  std::string format;
};

std::vector<ReleaseCase> releaseCases() {
  std::vector<ReleaseCase> cases;
  for (const char* layout : {"macos12-kc-xnu-source", "macos13-kc-xnu-source",
                             "macos14-kc-xnu-source", "macos15-kc-xnu-source"}) {
    for (const char* format : {"raw", "elf", "lime"}) cases.push_back({layout, format});
  }
  return cases;
}

void PrintTo(const ReleaseCase& c, std::ostream* os) { *os << c.layout << " " << c.format; }

class NewerReleaseWalkersTest : public ::testing::TestWithParam<ReleaseCase> {
 protected:
  ForgedImage forge(std::uint64_t seed, std::string ram, std::vector<std::string> extra) const {
    return forgeImage({.profile = GetParam().layout,
                       .seed = seed,
                       .ram = std::move(ram),
                       .procs = 16,
                       .format = GetParam().format,
                       .extraArgs = std::move(extra)});
  }
};

TEST_P(NewerReleaseWalkersTest, IsfAloneMatchesTruthOnQ35) {
  const ForgedImage forged = forge(41, "3G", {"--zombies", "2"});
  ASSERT_TRUE(forged.truth["is_kernel_collection"].get<bool>());
  ASSERT_EQ(forged.truth["phys_ranges"].size(), 2u) << "q35: RAM below and above the hole";
  const Guest guest(forged, forged.isfPath, KernelFileGiven::No);
  // Every segment a walker reads through was placed where the kernel file says.
  const KernelInfo& placedKernel = guest.target->resolution().kernel;
  for (const auto& segment : forged.truth["segments"]) {
    if (segment["name"] == "__LINKEDIT") continue;
    bool found = false;
    for (const auto& placed : placedKernel.segments) {
      if (placed.name != segment["name"].get<std::string>()) continue;
      found = true;
      EXPECT_EQ(placed.unslidStart, hexValue(segment["unslid_vmaddr"])) << placed.name;
      EXPECT_EQ(placed.runtimeStart, hexValue(segment["runtime_vmaddr"])) << placed.name;
    }
    EXPECT_TRUE(found) << segment["name"];
  }
  expectEverythingMatches(guest);
}

TEST_P(NewerReleaseWalkersTest, KernelFileSegmentsMatchTruth) {
  const ForgedImage forged = forge(42, "256M", {"--keepsyms"});
  const Guest guest(forged, forged.isfPath, KernelFileGiven::Yes);
  expectEverythingMatches(guest);
}

TEST_P(NewerReleaseWalkersTest, HostileGuestStillYieldsEveryLiveProcess) {
  // smeared allproc, a cyclic vm_map, a decoy banner and no lowGlo page at once.
  const ForgedImage forged =
      forge(43, "3G", {"--smear", "cycle", "--cyclic-vmmap", "--decoy-banner", "--zero-lowglo"});
  const Guest guest(forged, forged.isfPath, KernelFileGiven::No);
  engine::Target& target = *guest.target;
  EXPECT_EQ(target.resolution().kernel.kernelBaseVa, hexValue(forged.truth["kernel_base_va"]));
  const engine::ProcessList listing = target.processes();
  EXPECT_FALSE(listing.complete);
  const Json& recoverable = forged.truth["expected_recoverable"];
  std::set<int> expected = truthPids(recoverable["pids_via_allproc"]);
  const auto viaTasks = truthPids(recoverable["pids_via_tasks"]);
  expected.insert(viaTasks.begin(), viaTasks.end());
  EXPECT_EQ(pidsOf(listing), expected);
  const int cyclicPid = forged.truth["hostile"]["cyclic_vmmap_pid"].get<int>();
  bool checked = false;
  for (const auto& process : listing.processes) {
    if (process.pid != cyclicPid) continue;
    checked = true;
    const engine::MapList maps = target.maps(process.pid);
    EXPECT_FALSE(maps.complete);
    std::set<std::uint64_t> truthStarts;
    for (const auto& m : truthProcess(forged.truth, process.address.value_or(0))["maps"]) {
      truthStarts.insert(hexValue(m["start"]));
    }
    EXPECT_FALSE(maps.entries.empty());
    for (const auto& e : maps.entries) EXPECT_TRUE(truthStarts.count(e.start)) << e.start;
  }
  EXPECT_TRUE(checked) << "no process with pid " << cyclicPid;
  const KextListing kexts = target.kexts();
  EXPECT_EQ(kexts.kexts.size(), forged.truth["kexts"].size());
  EXPECT_EQ(target.dmesg().text, forged.truth["msgbuf"]["text"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Releases, NewerReleaseWalkersTest, ::testing::ValuesIn(releaseCases()),
                         [](const auto& info) {
                           std::string name =
                               info.param.layout.substr(0, 7) + "_" + info.param.format;
                           return name;
                         });

// macOS 14+ keeps a pid lookup table (`pid_hash`, an SMR hash chained through
// proc.p_hash): a third source beside allproc and the task queue.
TEST(PidHashTest, HoldsEveryLiveProcessOnMacos14And15) {
  for (const char* layout : {"macos14-kc-xnu-source", "macos15-kc-xnu-source"}) {
    SCOPED_TRACE(layout);
    const ForgedImage forged = forgeImage({.profile = layout,
                                           .seed = 44,
                                           .ram = "128M",
                                           .procs = 18,
                                           .extraArgs = {"--zombies", "2"}});
    const Guest guest(forged, forged.isfPath, KernelFileGiven::No);
    ASSERT_TRUE(guest.target->xnu().layout().symPidHash.has_value());
    const engine::ProcessList listing = guest.target->processes();
    EXPECT_TRUE(listing.complete) << ::testing::PrintToString(listing.warnings);
    std::set<int> inHash;
    for (const auto& process : listing.processes) {
      ASSERT_TRUE(process.inPidHash.has_value()) << process.pid;
      if (*process.inPidHash) inHash.insert(process.pid);
      EXPECT_EQ(*process.inPidHash, !process.zombie) << process.pid;
    }
    EXPECT_EQ(inHash, truthPids(forged.truth["pid_hash"]["pids"]));
  }
}

TEST(PidHashTest, RecoversWhatASmearedAllprocLostWithoutTheTaskQueue) {
  const ForgedImage forged = forgeImage({.profile = "macos15-kc-xnu-source",
                                         .seed = 45,
                                         .ram = "128M",
                                         .procs = 20,
                                         .extraArgs = {"--smear", "dangling"}});
  Profile profile = importIsfProfile(forged.isfPath).profile;
  profile.symbols.erase("_tasks");  // as if the task queue could not be used
  const std::string profilePath = scratchDir() + "/macos15-without-tasks.json";
  {
    std::ofstream out(profilePath);
    out << writeNativeProfile(profile);
  }
  const Guest guest(forged, profilePath, KernelFileGiven::No);
  const engine::ProcessList listing = guest.target->processes();
  EXPECT_FALSE(listing.complete);
  std::set<int> viaAllproc = truthPids(forged.truth["expected_recoverable"]["pids_via_allproc"]);
  std::set<int> all = truthPids(forged.truth["pid_hash"]["pids"]);
  EXPECT_LT(viaAllproc.size(), all.size());
  EXPECT_EQ(pidsOf(listing), all);
  for (const auto& process : listing.processes) {
    EXPECT_EQ(process.origin == engine::ProcessOrigin::PidHash, !viaAllproc.count(process.pid))
        << process.pid;
  }
}

TEST(PidHashTest, AbsentBeforeMacos14) {
  for (const char* layout : {"macos12-kc-xnu-source", "macos13-kc-xnu-source"}) {
    const ForgedImage forged =
        forgeImage({.profile = layout, .seed = 46, .ram = "128M", .procs = 6, .extraArgs = {}});
    EXPECT_TRUE(forged.truth["pid_hash"].is_null()) << layout;
    const Guest guest(forged, forged.isfPath, KernelFileGiven::No);
    EXPECT_FALSE(guest.target->xnu().layout().symPidHash) << layout;
    for (const auto& process : guest.target->processes().processes) {
      EXPECT_EQ(process.inPidHash, false) << process.pid;
    }
  }
}

TEST(CyclicVmMapTest, IsFlaggedAndKeepsTheEntriesBeforeTheLoop) {
  const ForgedImage forged = forgeImage({.profile = "ElCapitan_10.11.6_15G1212",
                                         .seed = 4,
                                         .ram = "128M",
                                         .procs = 12,
                                         .extraArgs = {"--cyclic-vmmap"}});
  const Guest guest(forged, "auto");
  const int victim = forged.truth["hostile"]["cyclic_vmmap_pid"].get<int>();
  const engine::ProcessList processes = guest.target->processes();
  EXPECT_TRUE(processes.complete);
  bool checked = false;
  for (const auto& p : processes.processes) {
    if (!p.map || p.zombie) continue;
    const engine::MapList listing = guest.target->maps(p.pid);
    if (p.pid != victim) {
      EXPECT_TRUE(listing.complete) << p.pid;
      continue;
    }
    checked = true;
    EXPECT_FALSE(listing.complete);
    ASSERT_FALSE(listing.warnings.empty());
    EXPECT_NE(listing.warnings.front().find("cycle"), std::string::npos)
        << listing.warnings.front();
    // What was walked before the loop is real: each entry is one of the truth's.
    std::set<std::uint64_t> truthStarts;
    for (const auto& m : truthProcess(forged.truth, *p.address)["maps"]) {
      truthStarts.insert(hexValue(m["start"]));
    }
    EXPECT_FALSE(listing.entries.empty());
    for (const auto& e : listing.entries) EXPECT_TRUE(truthStarts.count(e.start)) << e.start;
  }
  EXPECT_TRUE(checked) << "no process with pid " << victim;
}

TEST(ProcessMemoryDumpTest, DumpedResidentPagesHashLikeTheForgeSays) {
  const ForgedImage forged = forgeImage(
      {.profile = "Yosemite_10.10.5_14F27", .seed = 8, .ram = "128M", .procs = 8, .extraArgs = {}});
  const Guest guest(forged, "auto");
  const Json& process = forged.truth["processes"][0];
  ASSERT_FALSE(process["resident_pages"].empty());
  const Json& page = process["resident_pages"][0];
  const std::string path = scratchDir() + "/page.bin";
  const std::uint64_t va = hexValue(page["va"]);
  const engine::VirtualDump dump =
      guest.target->dumpVirtual(process["pid"].get<int>(), va, va + 0x1000, path);
  EXPECT_EQ(dump.space.root, hexValue(process["pmap_cr3"]));
  const MemoryDumpResult& result = dump.result;
  EXPECT_EQ(result.bytesPresent, 0x1000u);
  EXPECT_TRUE(result.holes.empty());
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(sha256Hex(bytes), page["sha256"].get<std::string>());
}

}  // namespace
}  // namespace xnuscope::test
