// Guest physical memory held in RAM for beacon tests: several ranges with holes
// between them, pages placed at chosen or seeded-random free frames, and a switch
// that hides view() so the scanner's read() path is exercised too.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "physmem/PhysicalMemory.h"

namespace xnuscope::test {

using Page = std::array<std::uint8_t, 4096>;

class TestMemory : public PhysicalMemory {
 public:
  // Ranges must be added in ascending, non-overlapping order.
  void addRange(std::uint64_t start, std::uint64_t size);
  void setViewEnabled(bool enabled) { viewEnabled_ = enabled; }

  void place(std::uint64_t pa, const Page& page);
  // Places each page at a random unused 4 KiB frame; returns the chosen PAs.
  std::vector<std::uint64_t> scatter(const std::vector<Page>& pages, std::mt19937_64& rng);
  // Writes the whole memory as a sparse raw file (only for a single range at 0).
  void writeSparseRaw(const std::string& path) const;

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override;
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  std::optional<std::span<const std::uint8_t>> view(std::uint64_t pa,
                                                    std::size_t length) const override;
  std::string describe() const override { return "test memory"; }
  std::string formatName() const override { return "test"; }

 private:
  std::uint8_t* at(std::uint64_t pa);
  const std::uint8_t* at(std::uint64_t pa) const;

  std::vector<PhysRange> ranges_;
  std::vector<std::vector<std::uint8_t>> storage_;
  std::set<std::uint64_t> used_;
  bool viewEnabled_ = true;
};

}  // namespace xnuscope::test
