// A read-only zip archive (Volatility 2 profiles are zips of two members). Reads
// the central directory and inflates members with zlib; stored members too. Only
// what profile zips need: no zip64, no encryption, no multi-disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xnuscope {

class ZipArchive {
 public:
  struct Entry {
    std::string name;
    std::uint16_t method = 0;  // 0 stored, 8 deflate
    std::uint32_t crc32 = 0;
    std::uint64_t compressedSize = 0;
    std::uint64_t size = 0;
    std::uint64_t localHeaderOffset = 0;
  };

  // Throws InputError when `bytes` is not a zip archive this reader understands.
  ZipArchive(std::string bytes, std::string origin);

  const std::vector<Entry>& entries() const { return entries_; }
  // The member's bytes, CRC-checked. Throws InputError on a damaged member.
  std::string read(const Entry& entry) const;
  // The first member whose name ends with `suffix`, or nullptr.
  const Entry* findBySuffix(const std::string& suffix) const;

  static bool looksLikeZip(const std::string& bytes);

 private:
  std::string bytes_;
  std::string origin_;
  std::vector<Entry> entries_;
};

}  // namespace xnuscope
