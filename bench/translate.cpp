// X86_64Translator throughput on a forge image's real-shaped kernel page tables
// (2 MiB kernel/physmap pages, 4 KiB heap pages): translations per second through
// the cache (a working set that fits it) and uncached (a fresh 4-level walk each
// time, over all mapped 4 KiB pages), plus VirtualMemory::readU64.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/Target.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"

namespace {

namespace fs = std::filesystem;

struct Guest {
  std::unique_ptr<xnuscope::engine::Target> target;
  const xnuscope::PhysicalMemory* memory = nullptr;
  std::uint64_t dtb = 0;
  std::vector<std::uint64_t> pages;  // VAs of mapped 4 KiB pages, shuffled
};

const Guest& guest() {
  static Guest g = [] {
    Guest result;
    const char* home = std::getenv("HOME");
    const fs::path dir = fs::path(home ? home : "/tmp") / ".cache/xnuscope/bench";
    fs::create_directories(dir);
    const fs::path image = dir / "highsierra-256m.raw";
    if (!fs::exists(image)) {
      const std::string command =
          std::string("python3 ") + XNUSCOPE_FORGE +
          " generate --build HighSierra_10.13.6_17G65 --seed 8 --ram 256M --format raw"
          " --quiet --out " +
          image.string();
      if (std::system(command.c_str()) != 0) std::exit(1);
    }
    // The kernel's DTB as the engine resolves it; the benchmarks then time the mmu alone.
    result.target = xnuscope::engine::Target::open({.image = image.string()});
    result.memory = &result.target->physical();
    result.dtb = result.target->resolution().kernel.dtb;
    xnuscope::X86_64Translator translator(*result.memory, result.dtb);
    translator.mappedRanges(
        0xffff800000000000ull, UINT64_MAX, [&](const xnuscope::MappedRange& range) {
          for (std::uint64_t va = range.va;
               va - range.va < range.size && result.pages.size() < 200000; va += 4096) {
            result.pages.push_back(va);
          }
          return result.pages.size() < 200000;
        });
    std::shuffle(result.pages.begin(), result.pages.end(), std::mt19937_64(42));
    return result;
  }();
  return g;
}

void BM_TranslateCached(benchmark::State& state) {
  const Guest& g = guest();
  xnuscope::X86_64Translator translator(*g.memory, g.dtb);
  const std::size_t workingSet = 1024;  // fits the 4096-slot cache
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(translator.translate(g.pages[i] + 0x18));
    if (++i == workingSet) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_rate"] =
      double(translator.cacheStats().hits) /
      double(translator.cacheStats().hits + translator.cacheStats().misses);
}
BENCHMARK(BM_TranslateCached);

void BM_TranslateUncached(benchmark::State& state) {
  const Guest& g = guest();
  xnuscope::X86_64Translator translator(*g.memory, g.dtb);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(translator.translateUncached(g.pages[i] + 0x18));
    if (++i == g.pages.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pages"] = double(g.pages.size());
}
BENCHMARK(BM_TranslateUncached);

void BM_TranslateCachedRandomOverAllPages(benchmark::State& state) {
  const Guest& g = guest();
  xnuscope::X86_64Translator translator(*g.memory, g.dtb);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(translator.translate(g.pages[i] + 0x18));
    if (++i == g.pages.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TranslateCachedRandomOverAllPages);

void BM_VirtualMemoryReadU64(benchmark::State& state) {
  const Guest& g = guest();
  xnuscope::X86_64Translator translator(*g.memory, g.dtb);
  xnuscope::VirtualMemory vm(*g.memory, translator);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(vm.readU64(g.pages[i] + 0x18));
    if (++i == 1024) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VirtualMemoryReadU64);

}  // namespace

BENCHMARK_MAIN();
