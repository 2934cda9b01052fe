// Architecture-neutral view of one guest address space: virtual → physical
// translation and enumeration of what is mapped. x86_64 4-level paging implements
// it today (X86_64Translator); ARM64 (16 KiB granule, TTBR1) will sit beside it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace xnuscope {

// Where one virtual address lands. `pa` is the exact physical address of `va`
// (page frame + offset); the permission bits are the effective ones, i.e. combined
// over every level of the walk.
struct Translation {
  std::uint64_t pa = 0;
  std::uint64_t pageSize = 0;  // 4 KiB, 2 MiB or 1 GiB on x86_64
  bool writable = false;
  bool user = false;
  bool executable = false;
};

// A run of virtual pages mapped to physically contiguous memory with the same
// effective permissions.
struct MappedRange {
  std::uint64_t va = 0;
  std::uint64_t pa = 0;
  std::uint64_t size = 0;
  bool writable = false;
  bool user = false;
  bool executable = false;
  std::uint64_t vaEnd() const { return va + size; }  // exclusive (0 when it wraps to 2^64)
};

// Hit/miss counters of a translator's cache (benchmarks, diagnostics).
struct TranslationCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t tableReads = 0;  // page-table entries/tables read from physical memory
};

class AddressTranslator {
 public:
  // Return false from the callback to stop the enumeration.
  using RangeCallback = std::function<bool(const MappedRange&)>;

  virtual ~AddressTranslator() = default;

  // nullopt when `va` is not mapped (not present at some level, non-canonical, or
  // the page table itself is absent from the image).
  virtual std::optional<Translation> translate(std::uint64_t va) const = 0;

  // Calls `onRange` in ascending VA order for every mapped range intersecting
  // [vaStart, vaEnd] (inclusive end, so the top of the address space can be named),
  // clipped to it. Adjacent pages with contiguous physical addresses and equal
  // permissions are merged. Stops after `limit` ranges or when `onRange` returns
  // false. Returns the number of ranges reported.
  virtual std::size_t mappedRanges(std::uint64_t vaStart, std::uint64_t vaEnd,
                                   const RangeCallback& onRange,
                                   std::size_t limit = SIZE_MAX) const = 0;

  // Forget cached translations; call after the guest's memory may have changed
  // (live QEMU).
  virtual void clearCache() const = 0;
  virtual TranslationCacheStats cacheStats() const = 0;

  // The physical address of the top-level table (x86_64: CR3 without flag bits).
  virtual std::uint64_t rootTable() const = 0;
  virtual std::string architecture() const = 0;
};

}  // namespace xnuscope
