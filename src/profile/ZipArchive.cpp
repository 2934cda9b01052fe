#include "profile/ZipArchive.h"

#include <zlib.h>

#include <span>

#include "core/Error.h"
#include "profile/Compression.h"

namespace xnuscope {
namespace {

constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kCentralFileHeader = 0x02014b50;
constexpr std::uint32_t kLocalFileHeader = 0x04034b50;

std::uint16_t le16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(b[at]) |
                                    (static_cast<std::uint8_t>(b[at + 1]) << 8));
}
std::uint32_t le32(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(le16(b, at)) |
         (static_cast<std::uint32_t>(le16(b, at + 2)) << 16);
}

}  // namespace

bool ZipArchive::looksLikeZip(const std::string& bytes) {
  return bytes.size() >= 4 && le32(bytes, 0) == kLocalFileHeader;
}

ZipArchive::ZipArchive(std::string bytes, std::string origin)
    : bytes_(std::move(bytes)), origin_(std::move(origin)) {
  const auto fail = [&](const std::string& problem) {
    throw InputError(origin_ + " is not a readable zip archive: " + problem +
                     " (expected a Volatility 2 mac profile zip)");
  };
  if (bytes_.size() < 22) fail("too short");
  // The end record sits in the last 22 + up to 65535 (comment) bytes.
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = bytes_.size() > 22 + 65535 ? bytes_.size() - 22 - 65535 : 0;
  for (std::size_t at = bytes_.size() - 22 + 1; at-- > lowest;) {
    if (le32(bytes_, at) == kEndOfCentralDirectory) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string::npos) fail("no end-of-central-directory record");
  const std::uint16_t count = le16(bytes_, eocd + 10);
  const std::uint32_t directorySize = le32(bytes_, eocd + 12);
  const std::uint32_t directoryOffset = le32(bytes_, eocd + 16);
  if (directoryOffset == 0xffffffff || count == 0xffff) fail("zip64 archives are not supported");
  if (static_cast<std::uint64_t>(directoryOffset) + directorySize > eocd) {
    fail("central directory lies outside the file");
  }
  std::size_t at = directoryOffset;
  for (std::uint16_t i = 0; i < count; ++i) {
    if (at + 46 > eocd || le32(bytes_, at) != kCentralFileHeader) {
      fail("central directory entry " + std::to_string(i) + " is damaged");
    }
    Entry entry;
    const std::uint16_t flags = le16(bytes_, at + 8);
    entry.method = le16(bytes_, at + 10);
    entry.crc32 = le32(bytes_, at + 16);
    entry.compressedSize = le32(bytes_, at + 20);
    entry.size = le32(bytes_, at + 24);
    const std::uint16_t nameLength = le16(bytes_, at + 28);
    const std::uint16_t extraLength = le16(bytes_, at + 30);
    const std::uint16_t commentLength = le16(bytes_, at + 32);
    entry.localHeaderOffset = le32(bytes_, at + 42);
    if (at + 46 + nameLength > eocd) fail("entry name runs past the directory");
    entry.name = bytes_.substr(at + 46, nameLength);
    if (flags & 1) fail("member " + entry.name + " is encrypted");
    entries_.push_back(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
}

const ZipArchive::Entry* ZipArchive::findBySuffix(const std::string& suffix) const {
  for (const auto& entry : entries_) {
    if (entry.name.size() >= suffix.size() &&
        entry.name.compare(entry.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return &entry;
    }
  }
  return nullptr;
}

std::string ZipArchive::read(const Entry& entry) const {
  const std::string where = origin_ + " member " + entry.name;
  const std::uint64_t at = entry.localHeaderOffset;
  if (at + 30 > bytes_.size() || le32(bytes_, at) != kLocalFileHeader) {
    throw InputError(where + ": local header is damaged");
  }
  const std::uint64_t dataStart = at + 30 + le16(bytes_, at + 26) + le16(bytes_, at + 28);
  if (dataStart + entry.compressedSize > bytes_.size()) {
    throw InputError(where + ": data runs past the end of the archive (truncated download?)");
  }
  const std::span<const std::uint8_t> data(
      reinterpret_cast<const std::uint8_t*>(bytes_.data()) + dataStart, entry.compressedSize);
  std::string content;
  if (entry.method == 0) {
    content.assign(reinterpret_cast<const char*>(data.data()), data.size());
  } else if (entry.method == 8) {
    content = inflateRaw(data, entry.size, where);
  } else {
    throw InputError(where + ": compression method " + std::to_string(entry.method) +
                     " is not supported (only stored and deflate)");
  }
  if (content.size() != entry.size) throw InputError(where + ": size does not match the directory");
  const auto crc =
      crc32(0L, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size()));
  if (crc != entry.crc32) throw InputError(where + ": CRC mismatch; the archive is damaged");
  return content;
}

}  // namespace xnuscope
