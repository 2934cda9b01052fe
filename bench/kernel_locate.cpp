// Locate + prove the kernel on an 8 GiB sparse raw forge image (HighSierra 10.13.6,
// no keepsyms: no symbols, so the DTB comes from the PML4 scan), and on the same
// build's 256 MiB ELF core (CR3 in the notes). Prints wall time per locate (best
// and median of N runs, page cache warm after the first) and the bytes the
// locator read. Images are generated once into ~/.cache/xnuscope/bench/.
// XNUSCOPE_BENCH_RUNS overrides the run count (default 5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/Hex.h"
#include "kernel/KernelLocator.h"
#include "physmem/ImageOpener.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ensureImage(const std::string& name, const std::string& ram,
                        const std::string& format) {
  const char* home = std::getenv("HOME");
  const fs::path dir = fs::path(home ? home : "/tmp") / ".cache/xnuscope/bench";
  fs::create_directories(dir);
  const fs::path image = dir / name;
  if (!fs::exists(image) || !fs::exists(image.string() + ".truth.json")) {
    const std::string command = std::string("python3 ") + XNUSCOPE_FORGE + " generate --build " +
                                "HighSierra_10.13.6_17G65 --seed 8 --ram " + ram + " --format " +
                                format + " --quiet --out " + image.string();
    std::printf("generating %s (once) ...\n", image.c_str());
    if (std::system(command.c_str()) != 0) {
      std::fprintf(stderr, "forge failed: %s\n", command.c_str());
      std::exit(1);
    }
  }
  return image.string();
}

void measure(const std::string& label, const std::string& path, int runs) {
  const auto memory = xnuscope::openPhysicalMemory(path);
  std::vector<double> millis;
  xnuscope::KernelInfo info;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    info = xnuscope::KernelLocator(*memory).locate();
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  const double first = millis.front();
  std::sort(millis.begin(), millis.end());
  std::printf(
      "%-28s backed %.1f GiB: locate+prove best %.1f ms, median %.1f ms, first %.1f ms; "
      "bytes touched %llu (%.2f MiB); %zu/%zu facts agree; dtb %s via %s\n",
      label.c_str(), memory->backedBytes() / double(1ull << 30), millis.front(),
      millis[millis.size() / 2], first, static_cast<unsigned long long>(info.bytesTouched),
      info.bytesTouched / double(1 << 20), info.agreedFactCount(), info.facts.size(),
      xnuscope::hex(info.dtb).c_str(), info.dtbSource.c_str());
}

}  // namespace

int main() {
  const char* runsText = std::getenv("XNUSCOPE_BENCH_RUNS");
  const int runs = runsText ? std::max(1, std::atoi(runsText)) : 5;
  measure("8 GiB sparse raw", ensureImage("highsierra-8g.raw", "8G", "raw"), runs);
  measure("256 MiB ELF core", ensureImage("highsierra-256m.elf", "256M", "elf"), runs);
  return 0;
}
