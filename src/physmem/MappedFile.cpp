#include "physmem/MappedFile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/Error.h"

namespace xnuscope {
MappedFile::MappedFile(const std::string& path) : path_(path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
  // forever; the file type is checked right after, before anything is read.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) {
    throw InputError("cannot open memory image " + path + ": " + std::strerror(errno) +
                     " (check the path and its read permission)");
  }
  // From here on, errors must close fd_: the destructor does not run.
  try {
    mapWholeFile();
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

void MappedFile::mapWholeFile() {
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    throw InputError("cannot stat memory image " + path_ + ": " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    throw InputError("memory image " + path_ +
                     " is a directory; give the image file itself (raw, ELF core or LiME)");
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError("memory image " + path_ +
                     " is not a regular file (pipe, socket or device); copy it to a file first");
  }
  if (info.st_size <= 0) {
    throw InputError("memory image " + path_ +
                     " is empty (0 bytes); the acquisition probably failed, acquire it again");
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
  // MAP_NORESERVE: nothing is ever written, so no swap needs to be reserved for
  // a 64 GiB image.
  void* mapping = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, fd_, 0);
  if (mapping == MAP_FAILED) {
    throw InputError("cannot map memory image " + path_ + " (" + std::to_string(size_) +
                     " bytes): " + std::strerror(errno));
  }
  data_ = static_cast<const std::uint8_t*>(mapping);
  // A second descriptor for the small reads: no readahead, so a probe every 2 MiB
  // of a 64 GiB image reads 32 KiB blocks, not 128 KiB+ windows.
  randomFd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (randomFd_ < 0) randomFd_ = ::dup(fd_);
  if (randomFd_ < 0) {
    throw InputError("cannot open memory image " + path_ + " twice: " + std::strerror(errno));
  }
  ::posix_fadvise(randomFd_, 0, 0, POSIX_FADV_RANDOM);
  const int randomFd = randomFd_;
  cache_ =
      std::make_unique<BlockCache>(kCacheBlockSize, kCacheBlocks, size_,
                                   [randomFd](std::uint64_t offset, std::span<std::uint8_t> out) {
                                     return preadFully(randomFd, offset, out);
                                   });
}

MappedFile::~MappedFile() { unmap(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      randomFd_(std::exchange(other.randomFd_, -1)),
      cache_(std::move(other.cache_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    unmap();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    randomFd_ = std::exchange(other.randomFd_, -1);
    cache_ = std::move(other.cache_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void MappedFile::unmap() noexcept {
  if (data_ != nullptr) {
    ::munmap(const_cast<std::uint8_t*>(data_), size_);
    data_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (randomFd_ >= 0) {
    ::close(randomFd_);
    randomFd_ = -1;
  }
  cache_.reset();
}

std::size_t MappedFile::preadFully(int fd, std::uint64_t offset, std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank under us (or an I/O error): stop, like a hole
    done += static_cast<std::size_t>(n);
  }
  return done;
}

std::size_t MappedFile::copy(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (offset >= size_) return 0;
  const std::size_t length =
      static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
  if (length < kPreadThreshold) return cache_->copy(offset, out.first(length));
  return preadFully(fd_, offset, out.first(length));
}

}  // namespace xnuscope
