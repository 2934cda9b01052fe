#include "physmem/RawImage.h"

#include "physmem/ByteSize.h"

namespace xnuscope {

RawImage::RawImage(const std::string& path) : RawImage(MappedFile(path)) {}

RawImage::RawImage(MappedFile file)
    : file_(std::move(file)),
      segments_({FileSegment{0, 0, file_.size()}}, file_.size(), "raw image " + file_.path()) {}

std::size_t RawImage::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  return segments_.read(file_, pa, out);
}

std::optional<std::span<const std::uint8_t>> RawImage::view(std::uint64_t pa,
                                                            std::size_t length) const {
  return segments_.view(file_, pa, length);
}

std::string RawImage::describe() const {
  return "raw image " + file_.path() + ", 1 range, " + humanByteSize(file_.size());
}

}  // namespace xnuscope
