// Writers of small memory images in each format, for tests. Independent of the
// engine's parsers: they follow the format specifications (ELF gABI, QEMU's
// arch_dump.c note layout, LiME's header) directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xnuscope::test {

using Bytes = std::vector<std::uint8_t>;

// `size` deterministic pseudo-random bytes.
Bytes patternBytes(std::size_t size, std::uint32_t seed);

void writeFile(const std::string& path, const Bytes& bytes);

struct LimeRange {
  std::uint64_t start = 0;  // first physical address
  Bytes data;
};
Bytes buildLime(const std::vector<LimeRange>& ranges);

struct ElfLoad {
  std::uint64_t paddr = 0;
  Bytes data;               // p_filesz = data.size()
  std::uint64_t memsz = 0;  // 0: same as data.size()
};
struct ElfCpu {
  std::uint64_t rip = 0, rsp = 0, cr0 = 0, cr3 = 0, cr4 = 0;
};
struct ElfCoreSpec {
  bool class64 = true;
  std::uint16_t machine = 62;  // EM_X86_64
  std::uint16_t type = 4;      // ET_CORE
  std::vector<ElfLoad> loads;
  std::vector<ElfCpu> cpus;  // one PRSTATUS + one QEMU note each
  bool qemuNotes = true;
  bool extendedPhnum = false;  // e_phnum = PN_XNUM, real count in section header 0
};
Bytes buildElfCore(const ElfCoreSpec& spec);

}  // namespace xnuscope::test
