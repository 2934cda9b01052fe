// Finds every 4 KiB page of guest physical memory that starts with the beacon magic.
// This touches the whole image (many GiB), so it only compares one word per page
// and copies out the few pages that match; deciding what a page is belongs to
// BeaconPageClassifier.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "beacon/BeaconFormat.h"
#include "core/Progress.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

struct RawBeaconPage {
  std::uint64_t pa = 0;
  std::array<std::uint8_t, beacon::kPageSize> bytes{};
};

struct BeaconScanResult {
  std::vector<RawBeaconPage> pages;  // in physical address order
  std::uint64_t bytesScanned = 0;
  std::uint64_t magicPages = 0;       // pages whose first word is the magic
  std::uint64_t pagesDropped = 0;     // magic pages beyond kMaxPagesKept (not copied)
  std::uint64_t unreadableBytes = 0;  // inside ranges() but read() returned short
};

class BeaconScanner {
 public:
  // A companion session is at most a few hundred pages; an image with far more
  // magic pages is hostile or corrupt, and copying them all would cost GiBs.
  static constexpr std::size_t kMaxPagesKept = 16384;
  // Bytes per read() call (one buffer per thread); also the progress granularity.
  static constexpr std::size_t kChunkSize = 4u << 20;
  // Images at least this large are scanned by up to kMaxThreads threads (only
  // sources that allow concurrent reads, i.e. file images).
  static constexpr std::uint64_t kParallelThreshold = 256ull << 20;
  static constexpr unsigned kMaxThreads = 4;

  explicit BeaconScanner(const PhysicalMemory& memory) : memory_(memory) {}

  // Scans every backed, 4 KiB-aligned page. `progress` (may be empty) is called
  // on the calling thread only, with stage "beacon scan" and bytes done/total.
  // Pages in the result are in physical address order whatever the threading.
  BeaconScanResult scan(const ProgressFn& progress = {}) const;

 private:
  void scanBlock(const std::uint8_t* data, std::size_t length, std::uint64_t pa,
                 BeaconScanResult& result) const;

  const PhysicalMemory& memory_;
};

}  // namespace xnuscope
