#include "FuzzSupport.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace xnuscope::fuzz {

BufferMemory::BufferMemory(std::span<const std::uint8_t> bytes)
    : bytes_(bytes.begin(), bytes.end()) {
  if (!bytes_.empty()) ranges_.push_back({0, bytes_.size()});
}

std::size_t BufferMemory::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  if (pa >= bytes_.size()) return 0;
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), bytes_.size() - pa));
  std::memcpy(out.data(), bytes_.data() + pa, n);
  return n;
}

MemoryFile::MemoryFile(std::span<const std::uint8_t> bytes) {
  fd_ = ::memfd_create("xnuscope-fuzz", MFD_CLOEXEC);
  if (fd_ < 0) std::abort();
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemoryFile::~MemoryFile() { ::close(fd_); }

}  // namespace xnuscope::fuzz
