// Where each backed guest-physical range lives inside one mapped file. Shared by the
// file formats (raw, ELF core, LiME): they differ only in how they find segments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "physmem/MappedFile.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

// `size` bytes of guest-physical memory from `pa`, stored at `fileOffset`.
struct FileSegment {
  std::uint64_t pa = 0;
  std::uint64_t fileOffset = 0;
  std::uint64_t size = 0;
};

class FileSegmentMap {
 public:
  // Validates and indexes the segments: each must lie inside the file (else the
  // file is truncated) and no two may overlap in physical address space (else the
  // image is ambiguous). Empty segments are dropped. Segments adjacent both in PA
  // and in the file are merged, so view() can span them. Throws InputError naming
  // `imageName`.
  FileSegmentMap(std::vector<FileSegment> segments, std::uint64_t fileSize,
                 const std::string& imageName);

  // PhysicalMemory::read over `file`: copies up to the first hole. Segments that
  // abut in PA are read across, even when not adjacent in the file.
  std::size_t read(const MappedFile& file, std::uint64_t pa, std::span<std::uint8_t> out) const;

  // Zero-copy view when [pa, pa+length) lies inside one (merged) segment.
  std::optional<std::span<const std::uint8_t>> view(const MappedFile& file, std::uint64_t pa,
                                                    std::size_t length) const;

  // Backed ranges, sorted, with PA-adjacent segments coalesced.
  const std::vector<PhysRange>& ranges() const { return ranges_; }
  const std::vector<FileSegment>& segments() const { return segments_; }

 private:
  // Index of the segment containing pa, or npos.
  std::size_t find(std::uint64_t pa) const;

  std::vector<FileSegment> segments_;  // sorted by pa, non-overlapping
  std::vector<PhysRange> ranges_;
};

}  // namespace xnuscope
