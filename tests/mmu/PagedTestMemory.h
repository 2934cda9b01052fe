// Test-only guest physical memory: a sparse set of 4 KiB pages in a std::map, plus
// a builder that writes x86_64 page tables into it. Shared by tests/mmu and
// tests/kernel (header-only, included as "mmu/PagedTestMemory.h").
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "physmem/PhysicalMemory.h"

namespace xnuscope::test {

class PagedTestMemory final : public PhysicalMemory {
 public:
  using Page = std::array<std::uint8_t, 4096>;

  // Makes [pa, pa+size) backed (zero-filled) without writing anything.
  void back(std::uint64_t pa, std::uint64_t size) {
    for (std::uint64_t page = pa & ~0xfffull; page < pa + size; page += 4096) pageAt(page);
  }
  void write(std::uint64_t pa, std::span<const std::uint8_t> bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
      Page& page = pageAt((pa + i) & ~0xfffull);
      const std::size_t offset = (pa + i) & 0xfff;
      const std::size_t n = std::min<std::size_t>(4096 - offset, bytes.size() - i);
      std::memcpy(page.data() + offset, bytes.data() + i, n);
      i += n;
    }
  }
  void writeU64(std::uint64_t pa, std::uint64_t value) {
    write(pa, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&value), 8));
  }
  void writeU32(std::uint64_t pa, std::uint32_t value) {
    write(pa, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&value), 4));
  }
  void writeString(std::uint64_t pa, const std::string& text) {
    write(pa, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size() + 1));
  }
  void drop(std::uint64_t pa) {
    pages_.erase(pa & ~0xfffull);
    dirty_ = true;
  }

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override {
    std::size_t done = 0;
    while (done < out.size()) {
      const auto it = pages_.find((pa + done) & ~0xfffull);
      if (it == pages_.end()) break;
      const std::size_t offset = (pa + done) & 0xfff;
      const std::size_t n = std::min<std::size_t>(4096 - offset, out.size() - done);
      std::memcpy(out.data() + done, it->second.data() + offset, n);
      done += n;
    }
    return done;
  }
  const std::vector<PhysRange>& ranges() const override {
    if (dirty_) {
      ranges_.clear();
      for (const auto& [pa, page] : pages_) {
        if (!ranges_.empty() && ranges_.back().end() == pa) {
          ranges_.back().size += 4096;
        } else {
          ranges_.push_back(PhysRange{pa, 4096});
        }
      }
      dirty_ = false;
    }
    return ranges_;
  }
  std::string describe() const override { return "test memory"; }
  std::string formatName() const override { return "test"; }
  std::vector<CpuState> cpus() const override { return cpus_; }
  void setCpus(std::vector<CpuState> cpus) { cpus_ = std::move(cpus); }

 private:
  Page& pageAt(std::uint64_t page) {
    auto [it, inserted] = pages_.try_emplace(page);
    if (inserted) {
      it->second.fill(0);
      dirty_ = true;
    }
    return it->second;
  }
  std::map<std::uint64_t, Page> pages_;
  mutable std::vector<PhysRange> ranges_;
  mutable bool dirty_ = true;
  std::vector<CpuState> cpus_;
};

// Writes 4-level page tables into PagedTestMemory. Tables are allocated from
// `nextTable` upward.
class TestPageTables {
 public:
  static constexpr std::uint64_t P = 1, W = 2, U = 4, PS = 0x80, NX = 1ull << 63;

  TestPageTables(PagedTestMemory& memory, std::uint64_t pml4, std::uint64_t nextTable)
      : memory_(memory), pml4_(pml4), next_(nextTable) {
    memory_.back(pml4_, 4096);
  }
  std::uint64_t pml4() const { return pml4_; }

  // Maps one page of `pageSize` (4 KiB, 2 MiB or 1 GiB). `leafFlags` applies to the
  // leaf entry; intermediate entries get P|W|U so the leaf decides.
  void map(std::uint64_t va, std::uint64_t pa, std::uint64_t pageSize,
           std::uint64_t leafFlags = P | W) {
    const int leafLevel = pageSize == (1ull << 30) ? 2 : pageSize == (1ull << 21) ? 1 : 0;
    std::uint64_t table = pml4_;
    for (int level = 3; level > leafLevel; --level) {
      const std::uint64_t slot = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
      std::uint64_t entry = memory_.readU64(slot).value_or(0);
      if (!(entry & P)) {
        entry = allocate() | P | W | U;
        memory_.writeU64(slot, entry);
      }
      table = entry & 0x000ffffffffff000ull;
    }
    const std::uint64_t slot = table + ((va >> (12 + 9 * leafLevel)) & 0x1ff) * 8;
    memory_.writeU64(slot, pa | leafFlags | (leafLevel > 0 ? PS : 0));
  }
  // Maps [va, va+size) with 4 KiB pages to contiguous physical memory.
  void mapRange(std::uint64_t va, std::uint64_t pa, std::uint64_t size,
                std::uint64_t leafFlags = P | W) {
    for (std::uint64_t off = 0; off < size; off += 4096) map(va + off, pa + off, 4096, leafFlags);
  }

 private:
  std::uint64_t allocate() {
    const std::uint64_t table = next_;
    next_ += 4096;
    memory_.back(table, 4096);
    return table;
  }
  PagedTestMemory& memory_;
  std::uint64_t pml4_;
  std::uint64_t next_;
};

}  // namespace xnuscope::test
