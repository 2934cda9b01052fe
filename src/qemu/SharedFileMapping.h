// A file that another process writes (QEMU's memory-backend-file), mapped read-only
// and MAP_SHARED so every read sees the guest's current bytes. Unlike MappedFile
// (snapshots, MAP_PRIVATE) it accepts /dev/shm files and device-backed paths whose
// contents change while we look.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace xnuscope {

class SharedFileMapping {
 public:
  // Maps `path` PROT_READ/MAP_SHARED. Throws InputError when it does not exist,
  // is not a regular file, is empty or cannot be mapped.
  explicit SharedFileMapping(const std::string& path);
  ~SharedFileMapping();
  SharedFileMapping(const SharedFileMapping&) = delete;
  SharedFileMapping& operator=(const SharedFileMapping&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const std::uint8_t* data_ = nullptr;
  std::uint64_t size_ = 0;
};

}  // namespace xnuscope
