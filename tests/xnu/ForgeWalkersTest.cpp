// The walkers against forge images (fixtures/forge, an independent oracle): every
// process, map entry, kext and the message buffer must equal the forge's truth,
// for the six real builds, the image formats, and the hostile variants.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "kernel/KernelFile.h"
#include "kernel/KernelLocator.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "physmem/ImageOpener.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/Sha256.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"
#include "xnu/KextWalker.h"
#include "xnu/MessageBufferReader.h"
#include "xnu/ProcWalker.h"
#include "xnu/ProcessMemoryDumper.h"
#include "xnu/VmMapWalker.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

std::uint64_t hexValue(const Json& value) {
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

// The committed xnu_profiles/ profile of the truth's build.
Profile committedProfile(const Json& truth) {
  const std::string build = truth["build"].get<std::string>();
  for (const auto& entry : std::filesystem::directory_iterator(sourceDir() + "/xnu_profiles")) {
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (!looksLikeNativeProfile(text)) continue;
    Profile profile = readNativeProfile(text, entry.path().string());
    if (profile.build == build) return profile;
  }
  throw std::runtime_error("no xnu_profiles/ profile for build " + build);
}

// Everything the walkers need, built the way the CLI builds it.
struct Guest {
  // `unslidSegments`: for a kernel collection, where each segment was linked (what
  // the kernel file given with --kernel tells the locator).
  explicit Guest(const ForgedImage& forged, Profile chosen,
                 std::map<std::string, std::uint64_t> unslidSegments = {})
      : image(forged),
        memory(openPhysicalMemory(forged.image)),
        profile(std::move(chosen)),
        info([&] {
          KernelLocatorOptions options;
          options.unslidSymbols = &profile.symbols;
          if (!unslidSegments.empty()) options.unslidSegments = &unslidSegments;
          return KernelLocator(*memory, options).locate();
        }()),
        layout(XnuLayout::fromProfile(profile)),
        translator(*memory, info.dtb),
        vm(*memory, translator),
        kernel(vm, layout, info) {}
  ForgedImage image;
  std::unique_ptr<PhysicalMemory> memory;
  Profile profile;
  KernelInfo info;
  XnuLayout layout;
  X86_64Translator translator;
  VirtualMemory vm;
  XnuKernel kernel;
};

// The kernel file's segment addresses, from the truth (a kernel collection places
// each segment independently; the profile alone does not say where it was linked).
std::map<std::string, std::uint64_t> linkedSegments(const Json& truth) {
  std::map<std::string, std::uint64_t> segments;
  if (!truth.value("is_kernel_collection", false)) return segments;
  for (const auto& segment : truth["segments"]) {
    segments[segment["name"].get<std::string>()] = hexValue(segment["unslid_vmaddr"]);
  }
  return segments;
}

const Json& truthProcess(const Json& truth, std::uint64_t address) {
  for (const auto& p : truth["processes"]) {
    if (hexValue(p["address"]) == address) return p;
  }
  static const Json none;
  return none;
}

void expectProcessMatches(const ProcessRecord& got, const Json& want) {
  SCOPED_TRACE("pid " + std::to_string(got.pid) + " " + got.comm);
  ASSERT_FALSE(want.is_null()) << "walker produced a proc the forge did not make";
  EXPECT_EQ(got.pid, want["pid"].get<int>());
  EXPECT_EQ(got.ppid, want["ppid"].get<int>());
  ASSERT_TRUE(got.uid.has_value());
  EXPECT_EQ(*got.uid, want["uid"].get<std::uint32_t>());
  EXPECT_EQ(got.comm, want["comm"].get<std::string>());
  EXPECT_EQ(got.name(), want["name"].get<std::string>());
  EXPECT_EQ(got.zombie(), want["zombie"].get<bool>());
  if (want["task"].is_null()) {
    EXPECT_EQ(got.task, 0u);
  } else {
    EXPECT_EQ(got.task, hexValue(want["task"]));
    EXPECT_EQ(got.map, hexValue(want["map"]));
    ASSERT_TRUE(got.pmapCr3.has_value());
    EXPECT_EQ(*got.pmapCr3, hexValue(want["pmap_cr3"]));
  }
  ASSERT_TRUE(got.startSeconds.has_value());
  EXPECT_EQ(*got.startSeconds, want["start_time"].get<std::int64_t>());
}

void expectMapsMatch(const VmMapListing& listing, const Json& want) {
  ASSERT_EQ(listing.entries.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& got = listing.entries[i];
    const auto& w = want[i];
    SCOPED_TRACE("entry " + std::to_string(i) + " " + w["start"].get<std::string>());
    EXPECT_EQ(got.start, hexValue(w["start"]));
    EXPECT_EQ(got.end, hexValue(w["end"]));
    EXPECT_EQ(protectionLetters(got.protection), w["prot"].get<std::string>());
    EXPECT_EQ(protectionLetters(got.maxProtection), w["maxprot"].get<std::string>());
    EXPECT_EQ(inheritanceName(got.inheritance), w["inheritance"].get<std::string>());
    EXPECT_EQ(got.offset, hexValue(w["offset"]));
    EXPECT_EQ(got.tag, w["tag"].get<std::uint32_t>());
    EXPECT_EQ(got.isSubmap, w["is_submap"].get<bool>());
    EXPECT_EQ(got.object, hexValue(w["object"]));
  }
}

// pslist, maps of every process, kexts, dmesg and resident pages against truth.
void expectEverythingMatches(const Guest& guest) {
  const Json& truth = guest.image.truth;
  const ProcessListing listing = ProcWalker(guest.kernel).walk();
  EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
  ASSERT_EQ(listing.processes.size(), truth["processes"].size());
  for (std::size_t i = 0; i < listing.processes.size(); ++i) {
    const ProcessRecord& got = listing.processes[i];
    const Json& want = truth["processes"][i];  // same order: allproc, then zombproc
    EXPECT_EQ(got.address, hexValue(want["address"])) << "order differs at row " << i;
    expectProcessMatches(got, truthProcess(truth, got.address));
    EXPECT_EQ(got.inAllproc, want["in_allproc"].get<bool>());
    EXPECT_EQ(got.inTasksQueue, want["in_tasks_queue"].get<bool>());
  }

  const VmMapWalker maps(guest.kernel);
  for (const auto& process : listing.processes) {
    if (process.map == 0) continue;
    const Json& want = truthProcess(truth, process.address);
    const VmMapListing listing = maps.walk(process.map);
    EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
    expectMapsMatch(listing, want["maps"]);
    // Resident pages read through the process' own pmap hash like the forge's.
    const X86_64Translator user(*guest.memory, *process.pmapCr3);
    const VirtualMemory userMemory(*guest.memory, user);
    for (const auto& page : want["resident_pages"]) {
      std::string bytes(4096, '\0');
      ASSERT_TRUE(userMemory.readExact(
          hexValue(page["va"]),
          std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size())));
      EXPECT_EQ(sha256Hex(bytes), page["sha256"].get<std::string>()) << page["va"];
    }
  }

  const KextListing kexts = KextWalker(guest.kernel).walk();
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

  const MessageBuffer buffer = MessageBufferReader(guest.kernel).read();
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
  const Guest guest(forged, committedProfile(forged.truth));
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
  const Guest guest(forged, committedProfile(forged.truth));
  expectEverythingMatches(guest);
}

INSTANTIATE_TEST_SUITE_P(Formats, ImageFormatWalkersTest, ::testing::Values("raw", "elf", "lime"));

std::set<int> pidsOf(const ProcessListing& listing) {
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
  const Guest guest(forged, committedProfile(forged.truth));
  const ProcessListing listing = ProcWalker(guest.kernel).walk();
  EXPECT_FALSE(listing.status.complete);
  ASSERT_FALSE(listing.status.warnings.empty());
  EXPECT_NE(listing.status.warnings.front().find("allproc"), std::string::npos)
      << listing.status.warnings.front();
  const Json& recoverable = forged.truth["expected_recoverable"];
  std::set<int> expected = truthPids(recoverable["pids_via_allproc"]);
  const auto viaTasks = truthPids(recoverable["pids_via_tasks"]);
  expected.insert(viaTasks.begin(), viaTasks.end());
  EXPECT_EQ(pidsOf(listing), expected);
  // Every row is a real process, with the truth's fields.
  for (const auto& p : listing.processes) {
    expectProcessMatches(p, truthProcess(forged.truth, p.address));
  }
  // Rows only the task queue had are marked as such.
  const auto viaAllproc = truthPids(recoverable["pids_via_allproc"]);
  for (const auto& p : listing.processes) {
    EXPECT_EQ(p.source == ProcSource::Tasks, viaAllproc.count(p.pid) == 0) << p.pid;
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
  const Guest guest(forged, importIsfProfile(forged.isfPath).profile, linkedSegments(forged.truth));
  expectEverythingMatches(guest);
}

TEST_P(XnuSourceLayoutWalkersTest, DanglingSmearIsRecoveredThroughTasks) {
  const ForgedImage forged = forgeImage({.profile = GetParam(),
                                         .seed = 14,
                                         .ram = "128M",
                                         .procs = 20,
                                         .extraArgs = {"--smear", "dangling"}});
  const Guest guest(forged, importIsfProfile(forged.isfPath).profile, linkedSegments(forged.truth));
  const ProcessListing listing = ProcWalker(guest.kernel).walk();
  EXPECT_FALSE(listing.status.complete);
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
  const Guest guest(forged, importIsfProfile(forged.isfPath).profile);
  // Every segment a walker reads through was placed where the kernel file says.
  for (const auto& segment : forged.truth["segments"]) {
    if (segment["name"] == "__LINKEDIT") continue;
    for (const auto& placed : guest.info.segments) {
      if (placed.name != segment["name"].get<std::string>()) continue;
      EXPECT_EQ(placed.unslidStart, hexValue(segment["unslid_vmaddr"])) << placed.name;
      EXPECT_EQ(placed.runtimeStart, hexValue(segment["runtime_vmaddr"])) << placed.name;
    }
  }
  expectEverythingMatches(guest);
}

TEST_P(NewerReleaseWalkersTest, KernelFileSegmentsMatchTruth) {
  const ForgedImage forged = forge(42, "256M", {"--keepsyms"});
  const KernelFile kernelFile = KernelFile::load(forged.image + ".kernel");
  const Guest guest(forged, importIsfProfile(forged.isfPath).profile, kernelFile.segments());
  expectEverythingMatches(guest);
}

TEST_P(NewerReleaseWalkersTest, HostileGuestStillYieldsEveryLiveProcess) {
  // smeared allproc, a cyclic vm_map, a decoy banner and no lowGlo page at once.
  const ForgedImage forged =
      forge(43, "3G", {"--smear", "cycle", "--cyclic-vmmap", "--decoy-banner", "--zero-lowglo"});
  const Guest guest(forged, importIsfProfile(forged.isfPath).profile);
  EXPECT_EQ(guest.info.kernelBaseVa, hexValue(forged.truth["kernel_base_va"]));
  const ProcessListing listing = ProcWalker(guest.kernel).walk();
  EXPECT_FALSE(listing.status.complete);
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
    const VmMapListing maps = VmMapWalker(guest.kernel).walk(process.map);
    EXPECT_FALSE(maps.status.complete);
    std::set<std::uint64_t> truthStarts;
    for (const auto& m : truthProcess(forged.truth, process.address)["maps"]) {
      truthStarts.insert(hexValue(m["start"]));
    }
    EXPECT_FALSE(maps.entries.empty());
    for (const auto& e : maps.entries) EXPECT_TRUE(truthStarts.count(e.start)) << e.start;
  }
  EXPECT_TRUE(checked) << "no process with pid " << cyclicPid;
  const KextListing kexts = KextWalker(guest.kernel).walk();
  EXPECT_EQ(kexts.kexts.size(), forged.truth["kexts"].size());
  EXPECT_EQ(MessageBufferReader(guest.kernel).read().text,
            forged.truth["msgbuf"]["text"].get<std::string>());
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
    const Guest guest(forged, importIsfProfile(forged.isfPath).profile);
    ASSERT_TRUE(guest.layout.symPidHash.has_value());
    const ProcessListing listing = ProcWalker(guest.kernel).walk();
    EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
    std::set<int> inHash;
    for (const auto& process : listing.processes) {
      if (process.inPidHash) inHash.insert(process.pid);
      EXPECT_EQ(process.inPidHash, !process.zombie()) << process.pid;
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
  const Guest guest(forged, std::move(profile));
  const ProcessListing listing = ProcWalker(guest.kernel).walk();
  EXPECT_FALSE(listing.status.complete);
  std::set<int> viaAllproc = truthPids(forged.truth["expected_recoverable"]["pids_via_allproc"]);
  std::set<int> all = truthPids(forged.truth["pid_hash"]["pids"]);
  EXPECT_LT(viaAllproc.size(), all.size());
  EXPECT_EQ(pidsOf(listing), all);
  for (const auto& process : listing.processes) {
    EXPECT_EQ(process.source == ProcSource::PidHash, !viaAllproc.count(process.pid)) << process.pid;
  }
}

TEST(PidHashTest, AbsentBeforeMacos14) {
  for (const char* layout : {"macos12-kc-xnu-source", "macos13-kc-xnu-source"}) {
    const ForgedImage forged =
        forgeImage({.profile = layout, .seed = 46, .ram = "128M", .procs = 6, .extraArgs = {}});
    EXPECT_TRUE(forged.truth["pid_hash"].is_null()) << layout;
    EXPECT_FALSE(XnuLayout::fromProfile(importIsfProfile(forged.isfPath).profile).symPidHash)
        << layout;
  }
}

TEST(CyclicVmMapTest, IsFlaggedAndKeepsTheEntriesBeforeTheLoop) {
  const ForgedImage forged = forgeImage({.profile = "ElCapitan_10.11.6_15G1212",
                                         .seed = 4,
                                         .ram = "128M",
                                         .procs = 12,
                                         .extraArgs = {"--cyclic-vmmap"}});
  const Guest guest(forged, committedProfile(forged.truth));
  const int victim = forged.truth["hostile"]["cyclic_vmmap_pid"].get<int>();
  const ProcessListing processes = ProcWalker(guest.kernel).walk();
  EXPECT_TRUE(processes.status.complete);
  bool checked = false;
  for (const auto& p : processes.processes) {
    if (p.map == 0) continue;
    const VmMapListing listing = VmMapWalker(guest.kernel).walk(p.map);
    if (p.pid != victim) {
      EXPECT_TRUE(listing.status.complete) << p.pid;
      continue;
    }
    checked = true;
    EXPECT_FALSE(listing.status.complete);
    ASSERT_FALSE(listing.status.warnings.empty());
    EXPECT_NE(listing.status.warnings.front().find("cycle"), std::string::npos)
        << listing.status.warnings.front();
    // What was walked before the loop is real: each entry is one of the truth's.
    std::set<std::uint64_t> truthStarts;
    for (const auto& m : truthProcess(forged.truth, p.address)["maps"]) {
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
  const Guest guest(forged, committedProfile(forged.truth));
  const Json& process = forged.truth["processes"][0];
  ASSERT_FALSE(process["resident_pages"].empty());
  const Json& page = process["resident_pages"][0];
  const X86_64Translator user(*guest.memory, hexValue(process["pmap_cr3"]));
  const std::string path = scratchDir() + "/page.bin";
  // One resident page plus the next page, which the forge leaves absent or not.
  const std::uint64_t va = hexValue(page["va"]);
  const MemoryDumpResult result =
      ProcessMemoryDumper(*guest.memory, user).dump(va, va + 0x1000, path);
  EXPECT_EQ(result.bytesPresent, 0x1000u);
  EXPECT_TRUE(result.holes.empty());
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(sha256Hex(bytes), page["sha256"].get<std::string>());
}

}  // namespace
}  // namespace xnuscope::test
