#include "physmem/LimeImage.h"

#include <cstring>

#include "core/Error.h"
#include "core/Hex.h"
#include "core/LittleEndian.h"
#include "physmem/ByteSize.h"

namespace xnuscope {
namespace {

std::vector<FileSegment> parseLimeHeaders(const MappedFile& file) {
  const std::string name = "LiME image " + file.path();
  std::vector<FileSegment> segments;
  std::uint64_t offset = 0;
  // Each iteration consumes a header plus at least one byte, so this ends.
  while (offset < file.size()) {
    if (file.size() - offset < LimeImage::kHeaderSize) {
      throw InputError(name + " is truncated: " + std::to_string(file.size() - offset) +
                       " stray bytes at offset " + hex(offset) +
                       " are too short for a range header; acquire the image again");
    }
    const auto header = file.bytes().subspan(offset, LimeImage::kHeaderSize);
    const auto magic = loadLittleEndianOr<std::uint32_t>(header, 0);
    const auto version = loadLittleEndianOr<std::uint32_t>(header, 4);
    const auto first = loadLittleEndianOr<std::uint64_t>(header, 8);
    const auto last = loadLittleEndianOr<std::uint64_t>(header, 16);
    if (magic != LimeImage::kMagic) {
      throw InputError(name + " is corrupt: no LiME range header at offset " + hex(offset) +
                       " (found magic " + hex(magic) + ", expected " + hex(LimeImage::kMagic) +
                       ")");
    }
    if (version != LimeImage::kVersion) {
      throw InputError(name + " has LiME header version " + std::to_string(version) +
                       " at offset " + hex(offset) + "; only version 1 is supported");
    }
    if (last < first || last - first == UINT64_MAX) {
      throw InputError(name + " is corrupt: range header at offset " + hex(offset) +
                       " has an invalid range " + hex(first) + ".." + hex(last));
    }
    const std::uint64_t size = last - first + 1;  // e_addr is inclusive
    const std::uint64_t dataOffset = offset + LimeImage::kHeaderSize;
    if (size > file.size() - dataOffset) {
      throw InputError(name + " is truncated: the range " + hex(first) + ".." + hex(last) +
                       " needs " + humanByteSize(size) + " after offset " + hex(dataOffset) +
                       " but the file ends at " + hex(file.size()) + "; acquire it again");
    }
    segments.push_back(FileSegment{first, dataOffset, size});
    offset = dataOffset + size;
  }
  return segments;
}

}  // namespace

LimeImage::LimeImage(const std::string& path) : LimeImage(MappedFile(path)) {}

LimeImage::LimeImage(MappedFile file)
    : file_(std::move(file)),
      segments_(parseLimeHeaders(file_), file_.size(), "LiME image " + file_.path()) {}

std::size_t LimeImage::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  return segments_.read(file_, pa, out);
}

std::optional<std::span<const std::uint8_t>> LimeImage::view(std::uint64_t pa,
                                                             std::size_t length) const {
  return segments_.view(file_, pa, length);
}

std::string LimeImage::describe() const {
  return "LiME image " + file_.path() + ", " + std::to_string(ranges().size()) + " range(s), " +
         humanByteSize(backedBytes());
}

}  // namespace xnuscope
