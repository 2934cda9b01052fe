// CPU cost of `watch`: ProcessWatcher polling a 500-process guest at 10 Hz (each
// poll: a StableProcessReader read = allproc walk + back-link check + second walk,
// with the translation cache dropped, then the start/exit diff). Prints the CPU time
// this process used over the run as a percentage of one core; the target is < 5%.
//
// The guest is a forge image (HighSierra 10.13.6 layout, 500 procs), read through
// the same PhysicalMemory interface as a live VM. A live VM adds one QMP round trip
// per poll only with --freeze.
//
// Usage: bench_watch [seconds=10] [rate_hz=10]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/Target.h"

namespace {

using namespace xnuscope;
namespace fs = std::filesystem;

constexpr const char* kBuild = "HighSierra_10.13.6_17G65";

std::string forgeImage() {
  const fs::path dir = fs::path(XNUSCOPE_FIXTURE_CACHE) / "bench-watch";
  fs::create_directories(dir);
  const fs::path image = dir / "procs500.raw";
  if (fs::exists(image) && fs::exists(image.string() + ".truth.json")) return image.string();
  const std::string command = "python3 " + std::string(XNUSCOPE_FORGE) + " generate --build " +
                              kBuild + " --seed 5 --ram 512M --procs 500 --format raw --out " +
                              image.string() + " > /dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("forge failed: " + command);
  return image.string();
}

std::string highSierraProfile() {
  return std::string(XNUSCOPE_SOURCE_DIR) + "/xnu_profiles/HighSierra_10.13.6_17G65.json";
}

double cpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;
  const double rate = argc > 2 ? std::atof(argv[2]) : 10.0;
  const std::string image = forgeImage();
  const auto target = engine::Target::open({.image = image, .profile = highSierraProfile()});
  const auto watcher = target->watchProcesses();
  watcher->poll();  // baseline (and page cache warm-up), as watch does before its loop
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / rate));
  const auto wallStart = std::chrono::steady_clock::now();
  const double cpuStart = cpuSeconds();
  auto next = wallStart;
  std::size_t polls = 0, alive = 0, attempts = 0;
  while (std::chrono::steady_clock::now() - wallStart < std::chrono::duration<double>(seconds)) {
    const engine::ProcessWatchPoll poll = watcher->poll();
    alive = poll.alive;
    attempts += static_cast<std::size_t>(poll.attempts);
    ++polls;
    next += period;
    std::this_thread::sleep_until(next);
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  const double cpu = cpuSeconds() - cpuStart;
  std::printf("watch: %zu polls at %.1f Hz over %.1f s, %zu processes alive, %.2f walks/poll\n",
              polls, rate, wall, alive, polls ? 2.0 * attempts / polls : 0.0);
  std::printf("watch: %.3f ms CPU per poll, %.2f%% of one core (target < 5%%)\n",
              polls ? 1000.0 * cpu / polls : 0.0, 100.0 * cpu / wall);
  return 0;
}
