#include "mmu/X86_64Translator.h"

#include <cstring>
#include <vector>

namespace xnuscope {
namespace {

// Size of the region one entry maps at each level (index 0 = PT entry).
constexpr std::uint64_t kLevelSpan[4] = {1ull << 12, 1ull << 21, 1ull << 30, 1ull << 39};

// Sign-extends a 48-bit virtual address (PML4 indices 256–511 are the upper half).
std::uint64_t canonical(std::uint64_t va) {
  return (va & (1ull << 47)) ? (va | 0xffff000000000000ull) : (va & 0x0000ffffffffffffull);
}

}  // namespace

X86_64Translator::X86_64Translator(const PhysicalMemory& memory, std::uint64_t cr3)
    : memory_(memory), pml4_(cr3 & kCr3AddressMask) {}

std::optional<std::uint64_t> X86_64Translator::readEntry(std::uint64_t tablePa,
                                                         unsigned index) const {
  ++stats_.tableReads;
  return memory_.readU64(tablePa + index * 8ull);
}

void X86_64Translator::clearCache() const { cache_.fill(CacheSlot{}); }

std::optional<Translation> X86_64Translator::translate(std::uint64_t va) const {
  const std::uint64_t pageNumber = va >> 12;
  CacheSlot& slot = cache_[pageNumber % kCacheSlots];
  if (slot.tag == pageNumber + 1) {
    ++stats_.hits;
    return Translation{slot.paPage | (va & 0xfff), slot.pageSize, slot.writable, slot.user,
                       slot.executable};
  }
  ++stats_.misses;
  auto result = translateUncached(va);
  if (result) {
    slot = CacheSlot{pageNumber + 1,   result->pa & ~0xfffull, result->pageSize,
                     result->writable, result->user,           result->executable};
  }
  return result;
}

std::optional<Translation> X86_64Translator::translateUncached(std::uint64_t va) const {
  if (!isCanonical(va)) return std::nullopt;
  std::uint64_t table = pml4_;
  bool writable = true, user = true, executable = true;
  for (int level = 3; level >= 0; --level) {
    const unsigned index = static_cast<unsigned>((va >> (12 + 9 * level)) & 0x1ff);
    const auto entry = readEntry(table, index);
    if (!entry || !(*entry & kPresent)) return std::nullopt;
    writable = writable && (*entry & kWritable);
    user = user && (*entry & kUser);
    executable = executable && !(*entry & kNoExecute);
    // PS is meaningful in the PDPT (1 GiB) and PD (2 MiB); in the PML4 it is
    // reserved, in the PT it is PAT. Large-page frames are aligned to their size.
    const bool leaf = level == 0 || ((level == 1 || level == 2) && (*entry & kPageSize));
    if (leaf) {
      const std::uint64_t span = kLevelSpan[level];
      const std::uint64_t frame = *entry & kAddressMask & ~(span - 1);
      return Translation{frame | (va & (span - 1)), span, writable, user, executable};
    }
    table = *entry & kAddressMask;
  }
  return std::nullopt;  // unreachable: level 0 is always a leaf
}

std::size_t X86_64Translator::mappedRanges(std::uint64_t vaStart, std::uint64_t vaEnd,
                                           const RangeCallback& onRange, std::size_t limit) const {
  if (vaStart > vaEnd || limit == 0) return 0;
  std::size_t reported = 0;
  std::size_t tablesVisited = 0;
  bool stop = false;
  std::optional<MappedRange> pending;

  auto flush = [&] {
    if (!pending || stop) return;
    ++reported;
    if (!onRange(*pending) || reported >= limit) stop = true;
    pending.reset();
  };
  auto emit = [&](const MappedRange& range) {
    if (pending && pending->va + pending->size == range.va &&
        pending->pa + pending->size == range.pa && pending->writable == range.writable &&
        pending->user == range.user && pending->executable == range.executable) {
      pending->size += range.size;
      return;
    }
    flush();
    if (!stop) pending = range;
  };

  // Depth is fixed at four levels, so recursion is bounded; the table budget bounds
  // the breadth.
  std::vector<std::uint64_t> tableBuffers(4 * 512);
  auto walk = [&](auto& self, std::uint64_t tablePa, int level, std::uint64_t vaBase, bool writable,
                  bool user, bool executable) -> void {
    if (stop || ++tablesVisited > kMaxTablesPerEnumeration) {
      stop = true;
      return;
    }
    std::uint64_t* entries = &tableBuffers[level * 512];
    std::uint8_t* bytes = reinterpret_cast<std::uint8_t*>(entries);
    ++stats_.tableReads;
    const std::size_t got = memory_.read(tablePa, std::span<std::uint8_t>(bytes, 4096));
    const unsigned usable = static_cast<unsigned>(got / 8);
    const std::uint64_t span = kLevelSpan[level];
    for (unsigned index = 0; index < usable && !stop; ++index) {
      const std::uint64_t entryVa =
          level == 3 ? canonical(static_cast<std::uint64_t>(index) << 39) : vaBase + index * span;
      const std::uint64_t entryLast = entryVa + (span - 1);
      if (entryLast < vaStart) continue;
      if (entryVa > vaEnd) break;
      const std::uint64_t entry = entries[index];
      if (!(entry & kPresent)) continue;
      const bool w = writable && (entry & kWritable);
      const bool u = user && (entry & kUser);
      const bool x = executable && !(entry & kNoExecute);
      const bool leaf = level == 0 || ((level == 1 || level == 2) && (entry & kPageSize));
      if (!leaf) {
        self(self, entry & kAddressMask, level - 1, entryVa, w, u, x);
        // The child walk reused deeper buffers only; this level's buffer is intact.
        continue;
      }
      const std::uint64_t frame = entry & kAddressMask & ~(span - 1);
      const std::uint64_t first = entryVa < vaStart ? vaStart : entryVa;
      const std::uint64_t last = entryLast > vaEnd ? vaEnd : entryLast;
      emit(MappedRange{first, frame + (first - entryVa), last - first + 1, w, u, x});
    }
  };
  walk(walk, pml4_, 3, 0, true, true, true);
  flush();
  return reported;
}

}  // namespace xnuscope
