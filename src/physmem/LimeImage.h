// A LiME memory image (github.com/504ensicsLabs/LiME, "lime" format): a sequence of
// 32-byte headers (magic 0x4C694D45 "EMiL" on disk, version 1, first and last
// physical address of the range — the last one INCLUSIVE — and 8 reserved bytes),
// each followed by the range's bytes. Addresses not covered are holes.
#pragma once

#include <string>

#include "physmem/FileSegmentMap.h"
#include "physmem/MappedFile.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class LimeImage : public PhysicalMemory {
 public:
  static constexpr std::uint32_t kMagic = 0x4C694D45;
  static constexpr std::uint32_t kVersion = 1;
  static constexpr std::size_t kHeaderSize = 32;

  // Throws InputError when a header is corrupt or a range runs past EOF.
  explicit LimeImage(const std::string& path);
  explicit LimeImage(MappedFile file);

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override;
  const std::vector<PhysRange>& ranges() const override { return segments_.ranges(); }
  std::optional<std::span<const std::uint8_t>> view(std::uint64_t pa,
                                                    std::size_t length) const override;
  bool supportsConcurrentReads() const override { return true; }
  std::string describe() const override;
  std::string formatName() const override { return "lime"; }

 private:
  MappedFile file_;
  FileSegmentMap segments_;
};

}  // namespace xnuscope
