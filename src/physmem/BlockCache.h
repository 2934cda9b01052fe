// A bounded cache of fixed-size blocks of a file, for the many small reads of a
// page-table walk or a struct walk. Direct-mapped (block number → one slot), so
// its size is fixed at construction whatever the file size and no bookkeeping is
// needed per hit. Thread-safe: one mutex guards the slots; misses are filled by
// the caller-given reader while the lock is held (reads are short).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace xnuscope {

class BlockCache {
 public:
  // Reads `out.size()` bytes at `offset` of the file; returns how many it got.
  using Reader = std::function<std::size_t(std::uint64_t offset, std::span<std::uint8_t> out)>;

  // `blockSize` must be a power of two.
  BlockCache(std::size_t blockSize, std::size_t blocks, std::uint64_t fileSize, Reader reader);

  // Copies [offset, offset + out.size()) through the cache; returns the number of
  // leading bytes the file had.
  std::size_t copy(std::uint64_t offset, std::span<std::uint8_t> out);

  std::size_t capacityBytes() const { return blockSize_ * tags_.size(); }
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  static constexpr std::uint64_t kEmpty = UINT64_MAX;

  std::size_t blockSize_;
  std::uint64_t fileSize_;
  Reader reader_;
  std::mutex mutex_;
  std::vector<std::uint64_t> tags_;     // block number held by each slot
  std::vector<std::uint32_t> lengths_;  // bytes valid in each slot (short at EOF)
  // Allocated on first use and left uninitialised: a slot's bytes are written by
  // the reader before they are read, so only the pages of slots in use are ever
  // touched (zeroing all of it cost a page fault per 4 KiB and most of a short
  // command's run time).
  std::unique_ptr<std::uint8_t[]> storage_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace xnuscope
