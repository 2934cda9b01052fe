// An ELF core file as QEMU's `dump-guest-memory` (paging=false) writes it, also the
// shape VirtualBox's `debugvm dumpvmcore` produces: ET_CORE, one PT_LOAD per RAM
// block at its guest-physical address (p_paddr), a PT_NOTE with per-CPU registers.
//
// Accepted: ELFCLASS64 or ELFCLASS32, little-endian, EM_X86_64 or EM_386 — QEMU
// writes EM_386 (and ELFCLASS32 when RAM ends below 4 GiB) whenever the first CPU
// is not in long mode, e.g. a guest still in firmware. More than 65534 program
// headers (e_phnum == PN_XNUM, real count in section header 0) are supported.
//
// A PT_LOAD whose p_filesz < p_memsz has only its first p_filesz bytes backed; the
// tail is a hole (absent), not zeros — we cannot know what the guest had there.
#pragma once

#include <string>
#include <vector>

#include "physmem/FileSegmentMap.h"
#include "physmem/MappedFile.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class ElfCoreImage : public PhysicalMemory {
 public:
  // Throws InputError when the file is not an x86 little-endian ELF core, or is
  // truncated or corrupt (a segment or note beyond EOF, overlapping segments).
  explicit ElfCoreImage(const std::string& path);
  explicit ElfCoreImage(MappedFile file);

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override;
  const std::vector<PhysRange>& ranges() const override { return segments_.ranges(); }
  std::optional<std::span<const std::uint8_t>> view(std::uint64_t pa,
                                                    std::size_t length) const override;
  bool supportsConcurrentReads() const override { return true; }
  std::string describe() const override;
  std::string formatName() const override { return "elf-core"; }
  std::vector<CpuState> cpus() const override { return cpus_; }

  // "x86_64" or "i386" (from e_machine).
  const std::string& machine() const { return machine_; }

 private:
  struct Layout {
    std::vector<FileSegment> segments;
    std::vector<CpuState> cpus;
    std::string machine;
  };
  static Layout parse(const MappedFile& file);
  ElfCoreImage(MappedFile&& file, Layout&& layout);

  MappedFile file_;
  FileSegmentMap segments_;
  std::vector<CpuState> cpus_;
  std::string machine_;
};

}  // namespace xnuscope
