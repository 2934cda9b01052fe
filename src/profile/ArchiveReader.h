// RAII owner of one libarchive read handle over a memory buffer. libarchive reads
// the untrusted containers (Volatility 2 zips, .gz/.xz profiles); this wrapper only
// owns the handle and turns its errors into InputError messages.
#pragma once

#include <cstdint>
#include <span>
#include <string>

struct archive;
struct archive_entry;

namespace xnuscope {

class ArchiveReader {
 public:
  enum class Kind { Zip, CompressedStream };

  // Throws InputError naming `origin` when libarchive cannot open the buffer.
  ArchiveReader(std::span<const std::uint8_t> bytes, Kind kind, std::string origin);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The next member's header, or nullptr at the end of the archive.
  archive_entry* next();
  // The current member's bytes, at most `limit`; InputError (naming `what`) when it
  // holds more, or when the data is corrupt.
  std::string readCurrent(std::uint64_t limit, const std::string& what);

  [[noreturn]] void fail(const std::string& problem) const;

 private:
  archive* handle_ = nullptr;
  std::string origin_;
};

}  // namespace xnuscope
