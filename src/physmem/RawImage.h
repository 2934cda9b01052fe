// A raw physical memory image (dd of /dev/mem, VMware .vmem, QEMU memory-backend-
// file, `pmemsave`): file offset = physical address. A raw file carries no hole
// information, so the whole file is one backed range — and nothing beyond EOF.
#pragma once

#include <string>

#include "physmem/FileSegmentMap.h"
#include "physmem/MappedFile.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class RawImage : public PhysicalMemory {
 public:
  // Maps the file; throws InputError if it cannot be opened or is empty. Does not
  // check the content: use openPhysicalMemory() to detect the format.
  explicit RawImage(const std::string& path);
  explicit RawImage(MappedFile file);

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override;
  const std::vector<PhysRange>& ranges() const override { return segments_.ranges(); }
  std::optional<std::span<const std::uint8_t>> view(std::uint64_t pa,
                                                    std::size_t length) const override;
  bool supportsConcurrentReads() const override { return true; }
  std::string describe() const override;
  std::string formatName() const override { return "raw"; }

 private:
  MappedFile file_;
  FileSegmentMap segments_;
};

}  // namespace xnuscope
