#include "profile/ZipArchive.h"

#include <archive_entry.h>

#include <algorithm>
#include <span>

#include "core/Error.h"
#include "profile/ArchiveReader.h"
#include "profile/ProfileLimits.h"

namespace xnuscope {
namespace {

std::span<const std::uint8_t> asBytes(const std::string& bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

// Real profile zips hold two members; a listing of thousands is not a profile.
constexpr std::size_t kMaxEntries = 4096;

}  // namespace

bool ZipArchive::looksLikeZip(const std::string& bytes) {
  return bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0;
}

ZipArchive::ZipArchive(std::string bytes, std::string origin)
    : bytes_(std::move(bytes)), origin_(std::move(origin)) {
  ArchiveReader reader(asBytes(bytes_), ArchiveReader::Kind::Zip,
                       origin_ + " (expected a Volatility 2 mac profile zip)");
  while (archive_entry* header = reader.next()) {
    if (entries_.size() == kMaxEntries) {
      throw InputError(origin_ + " lists more than " + std::to_string(kMaxEntries) +
                       " members; not a Volatility 2 profile zip");
    }
    Entry entry;
    const char* name = archive_entry_pathname(header);
    entry.name = name ? name : "";
    entry.sizeKnown = archive_entry_size_is_set(header) != 0;
    entry.size = entry.sizeKnown ? static_cast<std::uint64_t>(archive_entry_size(header)) : 0;
    entry.index = entries_.size();
    entries_.push_back(std::move(entry));
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
  const std::string what = "zip member " + entry.name;
  // The declared size is checked before anything is inflated.
  if (entry.sizeKnown && entry.size > kMaxZipMemberBytes) {
    throw InputError(origin_ + ": " + what + " declares " + std::to_string(entry.size) +
                     " bytes, more than a profile member can hold (limit " +
                     std::to_string(kMaxZipMemberBytes) + "); refusing it");
  }
  ArchiveReader reader(asBytes(bytes_), ArchiveReader::Kind::Zip, origin_);
  for (std::size_t i = 0;; ++i) {
    archive_entry* header = reader.next();
    if (header == nullptr) throw InputError(origin_ + ": " + what + " vanished on re-reading");
    if (i != entry.index) continue;
    const std::uint64_t limit =
        entry.sizeKnown ? std::min(entry.size, kMaxZipMemberBytes) : kMaxZipMemberBytes;
    std::string data = reader.readCurrent(limit, what);
    if (entry.sizeKnown && data.size() != entry.size) {
      throw InputError(origin_ + ": " + what + " holds " + std::to_string(data.size()) +
                       " bytes but declares " + std::to_string(entry.size) +
                       "; the zip is damaged");
    }
    return data;
  }
}

}  // namespace xnuscope
