// The one interface every guest-physical-memory source implements: snapshot files
// (raw, ELF core, LiME) and the live QEMU memory-backend-file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace xnuscope {

// A contiguous range of guest-physical addresses that the source has bytes for.
struct PhysRange {
  std::uint64_t start = 0;
  std::uint64_t size = 0;
  std::uint64_t end() const { return start + size; }  // exclusive
  bool contains(std::uint64_t pa) const { return pa >= start && pa - start < size; }
};

// Register state of one virtual CPU, as recorded by the source (e.g. QEMU's ELF
// notes or QMP "info registers"). Fields not recorded stay nullopt.
struct CpuState {
  int index = 0;
  std::optional<std::uint64_t> cr3;
  std::optional<std::uint64_t> rip;
  std::optional<std::uint64_t> rsp;
  std::optional<std::uint64_t> cr0;
  std::optional<std::uint64_t> cr4;
  std::optional<std::uint64_t> efer;
};

class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;

  // Copies bytes starting at `pa` into `out`. Returns how many leading bytes were
  // backed; reading stops at the first hole (a hole is absent memory, never
  // silently zero-filled). A return value < out.size() means [pa+ret] is absent.
  virtual std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const = 0;

  // Sorted, non-overlapping backed ranges.
  virtual const std::vector<PhysRange>& ranges() const = 0;

  // Zero-copy view of [pa, pa+length) when the source is memory-mapped and the
  // whole range is backed contiguously; nullopt otherwise (callers fall back to
  // read()). Every page touched through a view is mapped into the process and
  // counts in its RSS: the engine's scanners and walkers use read(), which keeps
  // the footprint bounded whatever the image size.
  virtual std::optional<std::span<const std::uint8_t>> view(std::uint64_t pa,
                                                            std::size_t length) const {
    (void)pa;
    (void)length;
    return std::nullopt;
  }

  // True when read() may be called from several threads at once (file images);
  // the whole-image scanner uses threads only then.
  virtual bool supportsConcurrentReads() const { return false; }

  // Short human description: format, path, size ("ELF core /x/y.elf, 2 ranges, 4.0 GiB").
  virtual std::string describe() const = 0;

  // Format name: "raw", "elf-core", "lime", "qemu-live".
  virtual std::string formatName() const = 0;

  // CPU register state recorded with the image, if any.
  virtual std::vector<CpuState> cpus() const { return {}; }

  // Convenience: true only when every byte of out was read.
  bool readExact(std::uint64_t pa, std::span<std::uint8_t> out) const {
    return read(pa, out) == out.size();
  }
  std::optional<std::uint64_t> readU64(std::uint64_t pa) const;
  std::optional<std::uint32_t> readU32(std::uint64_t pa) const;
  // Total number of backed bytes.
  std::uint64_t backedBytes() const;
};

}  // namespace xnuscope
