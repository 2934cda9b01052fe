#include "profile/ArchiveReader.h"

#include <archive.h>
#include <archive_entry.h>

#include "core/Error.h"

namespace xnuscope {

ArchiveReader::ArchiveReader(std::span<const std::uint8_t> bytes, Kind kind, std::string origin)
    : handle_(archive_read_new()), origin_(std::move(origin)) {
  if (handle_ == nullptr) throw InputError(origin_ + ": libarchive could not start");
  if (kind == Kind::Zip) {
    // The seekable reader trusts the central directory, like unzip does.
    archive_read_support_format_zip_seekable(handle_);
  } else {
    archive_read_support_filter_gzip(handle_);
    archive_read_support_filter_xz(handle_);
    archive_read_support_format_raw(handle_);
  }
  if (archive_read_open_memory(handle_, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    const std::string problem =
        archive_error_string(handle_) ? archive_error_string(handle_) : "unknown format";
    archive_read_free(handle_);
    throw InputError(origin_ + ": cannot be read as " +
                     (kind == Kind::Zip ? "a zip archive" : "gzip or xz data") + " (" + problem +
                     ")");
  }
}

ArchiveReader::~ArchiveReader() { archive_read_free(handle_); }

void ArchiveReader::fail(const std::string& problem) const {
  const char* detail = archive_error_string(handle_);
  throw InputError(origin_ + ": " + problem + (detail ? std::string(" (") + detail + ")" : ""));
}

archive_entry* ArchiveReader::next() {
  archive_entry* entry = nullptr;
  const int status = archive_read_next_header(handle_, &entry);
  if (status == ARCHIVE_EOF) return nullptr;
  if (status != ARCHIVE_OK && status != ARCHIVE_WARN) fail("damaged archive header");
  return entry;
}

std::string ArchiveReader::readCurrent(std::uint64_t limit, const std::string& what) {
  std::string output;
  char buffer[1 << 16];
  while (true) {
    const la_ssize_t n = archive_read_data(handle_, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) fail("corrupt or truncated " + what);
    output.append(buffer, static_cast<std::size_t>(n));
    if (output.size() > limit) {
      throw InputError(origin_ + ": " + what + " expands beyond " + std::to_string(limit) +
                       " bytes; refusing it (a decompression bomb or not a profile)");
    }
  }
  return output;
}

}  // namespace xnuscope
