// A whole file mapped read-only into the address space. Memory images are 1–64 GiB:
// mapping lets the kernel page bytes in on demand instead of us reading them all.
// The descriptor stays open too: bulk copies go through pread(2), which on a VM is
// several times faster than memcpy from 4 KiB user mappings (docs/performance.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>

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
  // copied (fewer only if the file shrank since it was mapped). Small copies come
  // from the mapping (no system call), large ones through pread(2).
  std::size_t copy(std::uint64_t offset, std::span<std::uint8_t> out) const;

  // Copies of at least this many bytes use pread(2).
  static constexpr std::size_t kPreadThreshold = 16 * 1024;

 private:
  void mapWholeFile();
  void unmap() noexcept;

  std::string path_;
  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::uint64_t size_ = 0;
};

}  // namespace xnuscope
