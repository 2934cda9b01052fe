// A memory image file, read with pread(2). Memory images are 1–64 GiB and every
// page touched through a mapping counts in the process's RSS (and costs a fault),
// so reads never go through the mapping: bulk copies are pread(2) straight into the
// caller's buffer, small reads (page-table walks, struct fields) come from a
// bounded block cache (BlockCache, at most kCacheBytes) filled by pread(2) on a
// second descriptor that asks for no readahead. The read-only mapping remains for
// the format parsers (headers) and explicit zero-copy views (docs/performance.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "physmem/BlockCache.h"

namespace xnuscope {

class MappedFile {
 public:
  // Maps `path` read-only (PROT_READ, MAP_PRIVATE). Throws InputError when the path
  // does not exist, is not a regular file, cannot be read, or is empty.
  explicit MappedFile(const std::string& path);
  ~MappedFile();

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  const std::uint8_t* data() const { return data_; }
  std::uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Copies file bytes [offset, offset + out.size()) into out; returns how many were
  // copied (fewer only if the file shrank since it was opened). Small copies come
  // from the block cache, large ones through pread(2). Thread-safe.
  std::size_t copy(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // Copies of at least this many bytes bypass the cache and use pread(2).
  static constexpr std::size_t kPreadThreshold = 16 * 1024;
  // The small-read cache: 8192 blocks of 4 KiB (32 MiB), whatever the image size.
  static constexpr std::size_t kCacheBlockSize = 4 * 1024;
  static constexpr std::size_t kCacheBlocks = 8192;
  static constexpr std::size_t kCacheBytes = kCacheBlockSize * kCacheBlocks;

 private:
  void mapWholeFile();
  void unmap() noexcept;
  static std::size_t preadFully(int fd, std::uint64_t offset, std::span<std::uint8_t> out);

  std::string path_;
  int fd_ = -1;
  int randomFd_ = -1;  // same file, POSIX_FADV_RANDOM: cache fills read no more than asked
  std::unique_ptr<BlockCache> cache_;
  const std::uint8_t* data_ = nullptr;
  std::uint64_t size_ = 0;
};

}  // namespace xnuscope
