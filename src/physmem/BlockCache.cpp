#include "physmem/BlockCache.h"

#include <algorithm>
#include <cstring>

namespace xnuscope {

BlockCache::BlockCache(std::size_t blockSize, std::size_t blocks, std::uint64_t fileSize,
                       Reader reader)
    : blockSize_(blockSize),
      fileSize_(fileSize),
      reader_(std::move(reader)),
      tags_(blocks, kEmpty),
      lengths_(blocks, 0) {}

std::size_t BlockCache::copy(std::uint64_t offset, std::span<std::uint8_t> out) {
  std::lock_guard lock(mutex_);
  if (!storage_)
    storage_ = std::make_unique_for_overwrite<std::uint8_t[]>(blockSize_ * tags_.size());
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t at = offset + done;
    if (at >= fileSize_) break;
    const std::uint64_t block = at / blockSize_;
    const std::size_t slot = static_cast<std::size_t>(block % tags_.size());
    std::uint8_t* data = storage_.get() + slot * blockSize_;
    if (tags_[slot] == block) {
      ++hits_;
    } else {
      ++misses_;
      const std::uint64_t start = block * blockSize_;
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(blockSize_, fileSize_ - start));
      const std::size_t got = reader_(start, std::span<std::uint8_t>(data, want));
      tags_[slot] = got == want ? block : kEmpty;  // a short read is not kept
      lengths_[slot] = static_cast<std::uint32_t>(got);
    }
    const std::size_t inBlock = static_cast<std::size_t>(at - block * blockSize_);
    if (inBlock >= lengths_[slot]) break;
    const std::size_t chunk = std::min(out.size() - done, lengths_[slot] - inBlock);
    std::memcpy(out.data() + done, data + inBlock, chunk);
    done += chunk;
  }
  return done;
}

}  // namespace xnuscope
