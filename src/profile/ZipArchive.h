// A read-only zip archive (Volatility 2 profiles are zips of two members), read by
// libarchive. Member sizes are bounded: a member declaring more than
// kMaxZipMemberBytes is refused before anything is inflated, and inflation stops at
// the declared size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xnuscope {

class ZipArchive {
 public:
  struct Entry {
    std::string name;
    std::uint64_t size = 0;  // as declared by the archive
    bool sizeKnown = false;  // false when the archive declares none
    std::size_t index = 0;   // position in the archive
  };

  // Throws InputError when `bytes` is not a zip archive libarchive can list.
  ZipArchive(std::string bytes, std::string origin);

  const std::vector<Entry>& entries() const { return entries_; }
  // The member's bytes, CRC-checked by libarchive. Throws InputError on a damaged
  // member, or one larger than it declares or than kMaxZipMemberBytes.
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
