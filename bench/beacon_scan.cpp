// Beacon scan rate against plain sequential read(2) of the same file, page cache
// warm, in one run. Two images, generated once into ~/.cache/xnuscope/bench/:
//  - beacon-sparse-8g.raw: 8 GiB, almost all holes (costs no disk; holes read as
//    zero pages, so this measures the per-page cost of the scan, not the disk);
//  - beacon-dense-1g.raw: 1 GiB of pseudo-random bytes (every page a real page).
// Both carry a few hundred beacon pages at seeded random frames; the scan must
// find exactly those. Prints GiB/s for each and the ratio scan / read().
// XNUSCOPE_BENCH_SPARSE_GIB / XNUSCOPE_BENCH_DENSE_MIB override the sizes.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "beacon/BeaconFormat.h"
#include "beacon/BeaconScanner.h"
#include "physmem/RawImage.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
constexpr std::uint64_t kPage = 4096;

std::uint64_t envOr(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

// A valid Layout A master page of session `session`.
std::vector<std::uint8_t> beaconPage(std::uint32_t session) {
  std::vector<std::uint8_t> page(kPage, 0);
  auto put = [&](std::size_t offset, std::uint32_t value) {
    std::memcpy(&page[offset], &value, 4);
  };
  put(0, xnuscope::beacon::kMagic);
  put(4, 1);
  put(8, session);
  put(20, 1700000000);
  put(4092, 1);
  return page;
}

// Seeded frames for `count` beacon pages in an image of `size` bytes.
std::set<std::uint64_t> beaconFrames(std::uint64_t size, std::size_t count) {
  std::mt19937_64 rng(20261125);
  std::set<std::uint64_t> frames;
  while (frames.size() < count) frames.insert((rng() % (size / kPage)) * kPage);
  return frames;
}

void createImage(const std::string& path, std::uint64_t size, bool dense,
                 const std::set<std::uint64_t>& frames) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("open");
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) fail("ftruncate");
  if (dense) {
    std::vector<std::uint8_t> chunk(16u << 20);
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t offset = 0; offset < size; offset += chunk.size()) {
      for (std::size_t i = 0; i + 8 <= chunk.size(); i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::memcpy(&chunk[i], &state, 8);
      }
      for (std::size_t i = 0; i < chunk.size(); i += kPage) {  // no accidental magic
        if (std::memcmp(&chunk[i], "\xCE\xFA\x42\x31", 4) == 0) chunk[i] = 0;
      }
      if (::pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(offset)) !=
          static_cast<ssize_t>(chunk.size())) {
        fail("pwrite");
      }
    }
  }
  const auto page = beaconPage(42);
  for (std::uint64_t pa : frames) {
    if (::pwrite(fd, page.data(), kPage, static_cast<off_t>(pa)) != static_cast<ssize_t>(kPage)) {
      fail("pwrite");
    }
  }
  ::close(fd);
  fs::rename(tmp, path);
}

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double readRate(const std::string& path, std::uint64_t size) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail("open");
  std::vector<std::uint8_t> buffer(16u << 20);
  std::uint64_t total = 0, checksum = 0;
  const auto start = Clock::now();
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) fail("read");
    if (n == 0) break;
    // Touch one word per page, as the scanner does, so both sides do the same work
    // on the data they obtain.
    for (ssize_t i = 0; i + 4 <= n; i += kPage) checksum += buffer[static_cast<std::size_t>(i)];
    total += static_cast<std::uint64_t>(n);
  }
  const double elapsed = seconds(start);
  ::close(fd);
  if (total != size) std::fprintf(stderr, "short read (%llu)\n", (unsigned long long)total);
  if (checksum == 1) std::printf(" ");  // keep the loop
  return static_cast<double>(total) / elapsed;
}

double scanRate(const std::string& path, std::size_t expectedPages) {
  xnuscope::RawImage image(path);
  const auto start = Clock::now();
  const auto result = xnuscope::BeaconScanner(image).scan();
  const double elapsed = seconds(start);
  if (result.magicPages != expectedPages) {
    std::fprintf(stderr, "scan found %llu beacon pages, expected %zu\n",
                 (unsigned long long)result.magicPages, expectedPages);
    std::exit(1);
  }
  return static_cast<double>(result.bytesScanned) / elapsed;
}

void measure(const char* label, const std::string& path, std::uint64_t size,
             std::size_t beaconPages) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  readRate(path, size);  // warm the page cache for both contenders
  double bestRead = 0, bestScan = 0;
  for (int round = 0; round < 3; ++round) {
    bestRead = std::max(bestRead, readRate(path, size));
    bestScan = std::max(bestScan, scanRate(path, beaconPages));
  }
  std::printf("%-28s %6.1f GiB  read() %6.2f GiB/s  beacon scan %6.2f GiB/s  ratio %.2f\n", label,
              size / kGiB, bestRead / kGiB, bestScan / kGiB, bestScan / bestRead);
}

}  // namespace

int main() {
  const fs::path dir = fs::path(XNUSCOPE_FIXTURE_CACHE).parent_path() / "bench";
  fs::create_directories(dir);
  const std::uint64_t sparseSize = envOr("XNUSCOPE_BENCH_SPARSE_GIB", 8) << 30;
  const std::uint64_t denseSize = envOr("XNUSCOPE_BENCH_DENSE_MIB", 1024) << 20;
  const std::size_t beaconPages = 417;  // one full Layout A session: 1 + 16 + 200 + 200

  const std::string sparse =
      (dir / ("beacon-sparse-" + std::to_string(sparseSize >> 30) + "g.raw")).string();
  const std::string dense =
      (dir / ("beacon-dense-" + std::to_string(denseSize >> 20) + "m.raw")).string();
  if (!fs::exists(sparse))
    createImage(sparse, sparseSize, false, beaconFrames(sparseSize, beaconPages));
  if (!fs::exists(dense)) createImage(dense, denseSize, true, beaconFrames(denseSize, beaconPages));

  std::printf(
      "beacon scan vs sequential read(2), page cache warm, best of 3 (ratio = scan / read)\n");
  measure("sparse (holes = zero pages)", sparse, sparseSize, beaconPages);
  measure("dense (random bytes)", dense, denseSize, beaconPages);
  return 0;
}
