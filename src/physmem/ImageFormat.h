// Recognizes what a file is from its first bytes — never from its name. Knows the
// three accepted memory image formats and, so that the error can say what the
// user actually has, the formats people commonly mistake for one.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace xnuscope {

enum class ImageFormat {
  Raw,       // nothing recognized: raw physical memory
  ElfCore,   // ELF ET_CORE, x86 little-endian
  Lime,      // LiME range header at offset 0
  Rejected,  // a recognized format that is not a usable memory image
};

struct DetectedFormat {
  ImageFormat format = ImageFormat::Raw;
  // For Rejected: what the file is ("a gzip-compressed file") and what to do
  // ("decompress it first"). Empty otherwise.
  std::string what;
  std::string advice;
};

// Smallest raw image we accept: one page. Anything shorter is not a memory image.
constexpr std::uint64_t kMinimumImageSize = 4096;

// `head` is the first bytes of the file (up to 4 KiB suffice), `fileSize` its size.
DetectedFormat detectImageFormat(std::span<const std::uint8_t> head, std::uint64_t fileSize);

// "7f 45 4c 46 02 01 01 00" — the first `count` bytes, for messages.
std::string hexPreview(std::span<const std::uint8_t> head, std::size_t count = 8);

// The list of accepted formats, for error messages.
const char* acceptedImageFormats();

}  // namespace xnuscope
