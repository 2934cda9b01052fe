#include "qemu/SharedFileMapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/Error.h"

namespace xnuscope {

SharedFileMapping::SharedFileMapping(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw InputError("cannot open QEMU guest RAM file " + path + ": " + std::strerror(errno) +
                     " (give the mem-path of QEMU's memory-backend-file, e.g. /dev/shm/macos)");
  }
  struct stat info {};
  const bool statOk = ::fstat(fd, &info) == 0;
  const int statErrno = errno;
  if (!statOk || !S_ISREG(info.st_mode) || info.st_size <= 0) {
    ::close(fd);
    if (!statOk) throw InputError("cannot stat " + path + ": " + std::strerror(statErrno));
    throw InputError("QEMU guest RAM file " + path +
                     (S_ISREG(info.st_mode) ? " is empty" : " is not a regular file") +
                     "; start QEMU with -object memory-backend-file,mem-path=" + path +
                     ",share=on");
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
  // MAP_SHARED: the guest keeps writing; a private mapping could keep a stale copy of
  // any page we happened to touch first.
  void* mapping = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED | MAP_NORESERVE, fd, 0);
  const int mapErrno = errno;
  ::close(fd);
  if (mapping == MAP_FAILED) {
    throw InputError("cannot map QEMU guest RAM file " + path + " (" + std::to_string(size_) +
                     " bytes): " + std::strerror(mapErrno));
  }
  data_ = static_cast<const std::uint8_t*>(mapping);
}

SharedFileMapping::~SharedFileMapping() {
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

}  // namespace xnuscope
