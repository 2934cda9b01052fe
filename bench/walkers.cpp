// Walker speed once the kernel is located: pslist of ~1000 processes and maps of
// a 10,000-entry vm_map (forge image, HighSierra 10.13.6 layout), plus the whole
// `xnuscope --image IMG pslist` process on a 2 GiB image (kernel location,
// profile selection, walk, JSON out).
//
// Images are made by the fixture forge on first run and cached in
// XNUSCOPE_FIXTURE_CACHE/bench-walkers/.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/Target.h"
#include "xnu/ProcWalker.h"
#include "xnu/VmMapWalker.h"
#include "xnu/XnuKernel.h"

namespace {

using namespace xnuscope;
namespace fs = std::filesystem;

constexpr const char* kBuild = "HighSierra_10.13.6_17G65";

std::string forgeImage(const std::string& name, const std::string& args) {
  const fs::path dir = fs::path(XNUSCOPE_FIXTURE_CACHE) / "bench-walkers";
  fs::create_directories(dir);
  const fs::path image = dir / name;
  if (fs::exists(image) && fs::exists(image.string() + ".truth.json")) return image.string();
  const std::string command = "python3 " + std::string(XNUSCOPE_FORGE) + " generate --build " +
                              kBuild + " " + args + " --format raw --out " + image.string() +
                              " > /dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("forge failed: " + command);
  return image.string();
}

std::string highSierraProfile() {
  return std::string(XNUSCOPE_SOURCE_DIR) + "/xnu_profiles/HighSierra_10.13.6_17G65.json";
}

// A located kernel over the 1000-process image, resolved once (by the engine, with
// the profile check) for all benchmarks.
struct LocatedGuest {
  LocatedGuest()
      : target(engine::Target::open(
            {.image =
                 forgeImage("procs1000.raw", "--seed 21 --ram 1G --procs 1000 --max-entries 10000"),
             .profile = highSierraProfile()})) {
    target->xnu();
  }
  std::unique_ptr<engine::Target> target;
};

LocatedGuest& guest() {
  static LocatedGuest instance;
  return instance;
}

void BM_PslistAfterLocation(benchmark::State& state) {
  auto& g = guest();
  std::size_t count = 0;
  for (auto _ : state) {
    g.target->dropTranslationCache();  // a cold walk, as a fresh command would do
    const engine::ProcessList list = g.target->processes();
    count = list.processes.size();
    benchmark::DoNotOptimize(list);
  }
  state.counters["processes"] = static_cast<double>(count);
}
BENCHMARK(BM_PslistAfterLocation)->Unit(benchmark::kMillisecond);

void BM_MapsOfLargestVmMap(benchmark::State& state) {
  auto& g = guest();
  const XnuKernel& kernel = g.target->xnu();
  const ProcessListing listing = ProcWalker(kernel).walk();
  // The forge gives one process --max-entries entries; pick the biggest map.
  std::uint64_t map = 0;
  std::int64_t most = -1;
  for (const auto& p : listing.processes) {
    if (p.map == 0) continue;
    const auto n = kernel.memory().readU32(p.map + kernel.layout().mapNentries).value_or(0);
    if (static_cast<std::int64_t>(n) > most) {
      most = n;
      map = p.map;
    }
  }
  std::size_t entries = 0;
  for (auto _ : state) {
    g.target->dropTranslationCache();
    const VmMapListing maps = VmMapWalker(kernel).walk(map);
    entries = maps.entries.size();
    benchmark::DoNotOptimize(maps);
  }
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_MapsOfLargestVmMap)->Unit(benchmark::kMillisecond);

// The user-visible number: one whole `xnuscope pslist` process on a 2 GiB image,
// with `--profile auto` (profile-free kernel location, then banner match) and
// with the profile given (its symbols lead the locator straight to the DTB).
void runCliPslist(benchmark::State& state, const std::string& profileArgs) {
  const std::string image = forgeImage("ram2g.raw", "--seed 22 --ram 2G --procs 200");
  const fs::path cli = fs::read_symlink("/proc/self/exe").parent_path() / ".." / "xnuscope";
  const std::string command =
      cli.string() + " --image " + image + profileArgs + " pslist --format json > /dev/null 2>&1";
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (std::system(command.c_str()) != 0) {
      state.SkipWithError(("xnuscope failed: " + command).c_str());
      break;
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    state.SetIterationTime(seconds.count());
  }
}
void BM_CliPslistOn2GiBImageAutoProfile(benchmark::State& state) { runCliPslist(state, ""); }
void BM_CliPslistOn2GiBImageGivenProfile(benchmark::State& state) {
  runCliPslist(state, " --profile " + std::string(XNUSCOPE_SOURCE_DIR) +
                          "/xnu_profiles/HighSierra_10.13.6_17G65.json");
}
BENCHMARK(BM_CliPslistOn2GiBImageAutoProfile)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK(BM_CliPslistOn2GiBImageGivenProfile)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
