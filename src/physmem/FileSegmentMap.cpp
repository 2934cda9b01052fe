#include "physmem/FileSegmentMap.h"

#include <algorithm>
#include <cstring>

#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope {
namespace {
constexpr std::size_t npos = static_cast<std::size_t>(-1);
}

FileSegmentMap::FileSegmentMap(std::vector<FileSegment> segments, std::uint64_t fileSize,
                               const std::string& imageName) {
  std::erase_if(segments, [](const FileSegment& s) { return s.size == 0; });
  std::sort(segments.begin(), segments.end(),
            [](const FileSegment& a, const FileSegment& b) { return a.pa < b.pa; });
  for (const auto& segment : segments) {
    if (segment.fileOffset > fileSize || segment.size > fileSize - segment.fileOffset) {
      throw InputError(imageName + " is truncated: the segment for physical " + hex(segment.pa) +
                       " needs file bytes " + hex(segment.fileOffset) + ".." +
                       hex(segment.fileOffset + segment.size) + " but the file has only " +
                       hex(fileSize) + " bytes; copy or acquire the image again");
    }
    if (segment.pa + segment.size < segment.pa) {
      throw InputError(imageName + " is corrupt: the segment at physical " + hex(segment.pa) +
                       " of " + hex(segment.size) + " bytes wraps past the top of memory");
    }
    if (!segments_.empty()) {
      FileSegment& last = segments_.back();
      const std::uint64_t lastEnd = last.pa + last.size;
      if (segment.pa < lastEnd) {
        throw InputError(imageName + " is corrupt: segments overlap at physical " +
                         hex(segment.pa) + " (previous segment ends at " + hex(lastEnd) + ")");
      }
      if (segment.pa == lastEnd && segment.fileOffset == last.fileOffset + last.size) {
        last.size += segment.size;
        continue;
      }
    }
    segments_.push_back(segment);
  }
  for (const auto& segment : segments_) {
    if (!ranges_.empty() && ranges_.back().end() == segment.pa) {
      ranges_.back().size += segment.size;
    } else {
      ranges_.push_back(PhysRange{segment.pa, segment.size});
    }
  }
}

std::size_t FileSegmentMap::find(std::uint64_t pa) const {
  auto it =
      std::upper_bound(segments_.begin(), segments_.end(), pa,
                       [](std::uint64_t value, const FileSegment& s) { return value < s.pa; });
  if (it == segments_.begin()) return npos;
  --it;
  if (pa - it->pa >= it->size) return npos;
  return static_cast<std::size_t>(it - segments_.begin());
}

std::size_t FileSegmentMap::read(const MappedFile& file, std::uint64_t pa,
                                 std::span<std::uint8_t> out) const {
  std::size_t index = find(pa);
  std::size_t done = 0;
  while (done < out.size() && index < segments_.size()) {
    const FileSegment& segment = segments_[index];
    const std::uint64_t at = pa + done;
    if (at < segment.pa || at - segment.pa >= segment.size) break;  // a hole
    const std::uint64_t offsetInSegment = at - segment.pa;
    const std::size_t chunk = static_cast<std::size_t>(
        std::min<std::uint64_t>(out.size() - done, segment.size - offsetInSegment));
    const std::size_t copied =
        file.copy(segment.fileOffset + offsetInSegment, out.subspan(done, chunk));
    done += copied;
    if (copied < chunk) break;  // the file shrank since it was mapped
    ++index;                    // only continues when the next segment starts exactly here
  }
  return done;
}

std::optional<std::span<const std::uint8_t>> FileSegmentMap::view(const MappedFile& file,
                                                                  std::uint64_t pa,
                                                                  std::size_t length) const {
  const std::size_t index = find(pa);
  if (index == npos) return std::nullopt;
  const FileSegment& segment = segments_[index];
  const std::uint64_t offsetInSegment = pa - segment.pa;
  if (length > segment.size - offsetInSegment) return std::nullopt;
  return std::span<const std::uint8_t>(file.data() + segment.fileOffset + offsetInSegment, length);
}

}  // namespace xnuscope
