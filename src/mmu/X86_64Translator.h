// x86_64 4-level paging (PML4 → PDPT → PD → PT) over guest physical memory, with
// 4 KiB, 2 MiB and 1 GiB pages and a direct-mapped cache of VA page → PA page.
//
// Not thread-safe: the cache is mutated by const lookups. Use one translator per
// thread (they are cheap) or guard it.
#pragma once

#include <array>
#include <cstdint>

#include "mmu/AddressTranslator.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class X86_64Translator final : public AddressTranslator {
 public:
  // `cr3` is the raw register value: PCID (bits 0–11) and the no-flush bit 63 are
  // stripped, as are address bits above 51 (MAXPHYADDR is at most 52).
  X86_64Translator(const PhysicalMemory& memory, std::uint64_t cr3);

  std::optional<Translation> translate(std::uint64_t va) const override;
  std::size_t mappedRanges(std::uint64_t vaStart, std::uint64_t vaEnd, const RangeCallback& onRange,
                           std::size_t limit = SIZE_MAX) const override;
  void clearCache() const override;
  TranslationCacheStats cacheStats() const override { return stats_; }
  std::uint64_t rootTable() const override { return pml4_; }
  std::string architecture() const override { return "x86_64"; }

  // Translation without touching the cache (benchmarks, one-off probes).
  std::optional<Translation> translateUncached(std::uint64_t va) const;

  // Page-table entry bits and masks, shared with code that inspects tables directly
  // (e.g. the DTB search in src/kernel).
  static constexpr std::uint64_t kPresent = 1ull << 0;
  static constexpr std::uint64_t kWritable = 1ull << 1;
  static constexpr std::uint64_t kUser = 1ull << 2;
  static constexpr std::uint64_t kPageSize = 1ull << 7;
  static constexpr std::uint64_t kNoExecute = 1ull << 63;
  static constexpr std::uint64_t kAddressMask = 0x000ffffffffff000ull;
  static constexpr std::uint64_t kCr3AddressMask = 0x000ffffffffff000ull;

  // Page tables visited by one mappedRanges() call at most (2^18 tables = 1 GiB
  // of tables, enough for 512 GiB mapped with 4 KiB pages). A hostile image whose
  // tables all point back at one table would otherwise make enumeration endless.
  static constexpr std::size_t kMaxTablesPerEnumeration = 1u << 18;

  static bool isCanonical(std::uint64_t va) {
    const std::uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
  }

 private:
  struct CacheSlot {
    std::uint64_t tag = 0;  // VA page number + 1; 0 = empty
    std::uint64_t paPage = 0;
    std::uint64_t pageSize = 0;
    bool writable = false;
    bool user = false;
    bool executable = false;
  };
  static constexpr std::size_t kCacheSlots = 4096;

  std::optional<std::uint64_t> readEntry(std::uint64_t tablePa, unsigned index) const;

  const PhysicalMemory& memory_;
  std::uint64_t pml4_;
  mutable std::array<CacheSlot, kCacheSlots> cache_{};
  mutable TranslationCacheStats stats_{};
};

}  // namespace xnuscope
