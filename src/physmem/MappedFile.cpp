#include "physmem/MappedFile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/Error.h"

namespace xnuscope {
namespace {

// Closes the descriptor on every path; the mapping stays valid without it.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

MappedFile::MappedFile(const std::string& path) : path_(path) {
  FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    throw InputError("cannot open memory image " + path + ": " + std::strerror(errno) +
                     " (check the path and its read permission)");
  }
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) {
    throw InputError("cannot stat memory image " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    throw InputError("memory image " + path +
                     " is a directory; give the image file itself (raw, ELF core or LiME)");
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError("memory image " + path +
                     " is not a regular file (pipe, socket or device); copy it to a file first");
  }
  if (info.st_size <= 0) {
    throw InputError("memory image " + path +
                     " is empty (0 bytes); the acquisition probably failed, acquire it again");
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
  // MAP_NORESERVE: nothing is ever written, so no swap needs to be reserved for
  // a 64 GiB image.
  void* mapping = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, file.fd, 0);
  if (mapping == MAP_FAILED) {
    throw InputError("cannot map memory image " + path + " (" + std::to_string(size_) +
                     " bytes): " + std::strerror(errno));
  }
  data_ = static_cast<const std::uint8_t*>(mapping);
}

MappedFile::~MappedFile() { unmap(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    unmap();
    path_ = std::move(other.path_);
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
}

}  // namespace xnuscope
