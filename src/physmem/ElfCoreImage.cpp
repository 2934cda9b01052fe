#include "physmem/ElfCoreImage.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "core/Error.h"
#include "core/Hex.h"
#include "core/LittleEndian.h"
#include "physmem/ByteSize.h"
#include "physmem/QemuCpuNotes.h"

namespace xnuscope {
namespace {

// Header records are bounds-checked by need() before they are read; this check
// only keeps a missed one from reading past the mapping.
template <typename T>
T load(const MappedFile& file, std::uint64_t offset) {
  const auto value = loadRecord<T>(file.bytes(), static_cast<std::size_t>(offset));
  if (!value) {
    throw InputError("ELF core " + file.path() + " is truncated: a header at " + hex(offset) +
                     " runs past the end of the file");
  }
  return *value;
}

// The fields we use, the same for both ELF classes.
struct ProgramHeader {
  std::uint32_t type = 0;
  std::uint64_t offset = 0;
  std::uint64_t paddr = 0;
  std::uint64_t filesz = 0;
  std::uint64_t memsz = 0;
};

class ElfCoreParser {
 public:
  explicit ElfCoreParser(const MappedFile& file) : file_(file), name_("ELF core " + file.path()) {}

  void parse(std::vector<FileSegment>& segments, std::vector<CpuState>& cpus,
             std::string& machine) {
    const std::uint8_t* ident = file_.data();
    if (file_.size() < SELFMAG || std::memcmp(ident, ELFMAG, SELFMAG) != 0) {
      throw InputError(file_.path() + " is not an ELF file");
    }
    need(0, EI_NIDENT, "the ELF identification");
    is64_ = ident[EI_CLASS] == ELFCLASS64;
    if (!is64_ && ident[EI_CLASS] != ELFCLASS32) {
      throw InputError(name_ + " has an unknown ELF class " + std::to_string(ident[EI_CLASS]));
    }
    if (ident[EI_DATA] != ELFDATA2LSB) {
      throw InputError(name_ + " is big-endian; only little-endian x86 cores are supported");
    }
    const std::uint64_t headerSize = is64_ ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    need(0, headerSize, "the ELF header");
    std::uint16_t type, arch, phentsize, phnum;
    std::uint64_t phoff, shoff;
    if (is64_) {
      const auto header = load<Elf64_Ehdr>(file_, 0);
      type = header.e_type, arch = header.e_machine, phoff = header.e_phoff;
      phentsize = header.e_phentsize, phnum = header.e_phnum, shoff = header.e_shoff;
    } else {
      const auto header = load<Elf32_Ehdr>(file_, 0);
      type = header.e_type, arch = header.e_machine, phoff = header.e_phoff;
      phentsize = header.e_phentsize, phnum = header.e_phnum, shoff = header.e_shoff;
    }
    if (type != ET_CORE) {
      throw InputError(file_.path() + " is an ELF " + elfTypeName(type) +
                       ", not a core dump; give a memory image (e.g. from QEMU "
                       "dump-guest-memory) — a kernel binary goes to --kernel");
    }
    if (arch == EM_X86_64) {
      machine = "x86_64";
    } else if (arch == EM_386) {
      machine = "i386";
    } else {
      throw InputError(name_ + " is for ELF machine " + std::to_string(arch) +
                       "; only x86_64 (and QEMU's i386-tagged x86 cores) are supported");
    }
    const std::uint64_t entrySize = is64_ ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    if (phentsize != entrySize) {
      throw InputError(name_ + " is corrupt: program header entry size " +
                       std::to_string(phentsize) + ", expected " + std::to_string(entrySize));
    }
    std::uint64_t count = phnum;
    if (phnum == PN_XNUM) count = extendedPhnum(shoff);
    if (count == 0) throw InputError(name_ + " has no program headers, so no memory");
    if (phoff > file_.size() || count > (file_.size() - phoff) / entrySize) {
      throw InputError(name_ + " is truncated: its " + std::to_string(count) +
                       " program headers at " + hex(phoff) + " run past the end of the file (" +
                       humanByteSize(file_.size()) + "); copy or dump it again");
    }

    std::vector<CpuState> prstatus, qemu;
    for (std::uint64_t i = 0; i < count; ++i) {
      const ProgramHeader ph = programHeader(phoff + i * entrySize);
      if (ph.type == PT_LOAD) {
        if (ph.filesz > ph.memsz) {
          throw InputError(name_ + " is corrupt: PT_LOAD for physical " + hex(ph.paddr) +
                           " has p_filesz " + hex(ph.filesz) + " > p_memsz " + hex(ph.memsz));
        }
        segments.push_back(FileSegment{ph.paddr, ph.offset, ph.filesz});
      } else if (ph.type == PT_NOTE) {
        need(ph.offset, ph.filesz, "a PT_NOTE segment");
        readNotes(ph.offset, ph.filesz, prstatus, qemu);
      }
    }
    if (segments.empty()) throw InputError(name_ + " has no PT_LOAD segment, so no memory");

    // PRSTATUS and QEMU notes come in CPU order; the QEMU note carries the control
    // registers, the PRSTATUS note only rip/rsp.
    const std::size_t cpuCount = std::max(prstatus.size(), qemu.size());
    for (std::size_t i = 0; i < cpuCount; ++i) {
      CpuState cpu = i < qemu.size() ? qemu[i] : prstatus[i];
      if (i < qemu.size() && i < prstatus.size()) {
        if (!cpu.rip) cpu.rip = prstatus[i].rip;
        if (!cpu.rsp) cpu.rsp = prstatus[i].rsp;
      }
      cpu.index = static_cast<int>(i);
      cpus.push_back(cpu);
    }
  }

 private:
  static std::string elfTypeName(std::uint16_t type) {
    switch (type) {
      case ET_REL:
        return "relocatable object";
      case ET_EXEC:
        return "executable";
      case ET_DYN:
        return "shared object / PIE executable";
      default:
        return "file of type " + std::to_string(type);
    }
  }

  void need(std::uint64_t offset, std::uint64_t size, const std::string& what) const {
    if (offset > file_.size() || size > file_.size() - offset) {
      throw InputError(name_ + " is truncated: " + what + " at " + hex(offset) + " (" + hex(size) +
                       " bytes) runs past the end of the file (" + humanByteSize(file_.size()) +
                       "); copy or dump it again");
    }
  }

  // With e_phnum == PN_XNUM the real count is sh_info of section header 0.
  std::uint64_t extendedPhnum(std::uint64_t shoff) const {
    if (is64_) {
      need(shoff, sizeof(Elf64_Shdr), "section header 0 (extended program header count)");
      return load<Elf64_Shdr>(file_, shoff).sh_info;
    }
    need(shoff, sizeof(Elf32_Shdr), "section header 0 (extended program header count)");
    return load<Elf32_Shdr>(file_, shoff).sh_info;
  }

  ProgramHeader programHeader(std::uint64_t at) const {
    if (is64_) {
      const auto ph = load<Elf64_Phdr>(file_, at);
      return {ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz, ph.p_memsz};
    }
    const auto ph = load<Elf32_Phdr>(file_, at);
    return {ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz, ph.p_memsz};
  }

  // Walks the notes of one PT_NOTE segment. Elf32_Nhdr and Elf64_Nhdr are the same
  // three 32-bit words; name and descriptor are padded to 4 bytes (as QEMU pads).
  void readNotes(std::uint64_t offset, std::uint64_t size, std::vector<CpuState>& prstatus,
                 std::vector<CpuState>& qemu) const {
    const std::uint64_t end = offset + size;
    std::uint64_t at = offset;
    while (end - at >= sizeof(Elf64_Nhdr)) {  // each note advances by >= 12 bytes
      const auto note = load<Elf64_Nhdr>(file_, at);
      const std::uint64_t nameAt = at + sizeof(Elf64_Nhdr);
      const std::uint64_t descAt = nameAt + ((std::uint64_t{note.n_namesz} + 3) & ~3ULL);
      const std::uint64_t next = descAt + ((std::uint64_t{note.n_descsz} + 3) & ~3ULL);
      if (descAt + note.n_descsz > end) {
        throw InputError(name_ + " is corrupt: the note at " + hex(at) +
                         " runs past the end of its PT_NOTE segment");
      }
      const std::string_view noteName(reinterpret_cast<const char*>(file_.data() + nameAt),
                                      note.n_namesz > 0 ? note.n_namesz - 1 : 0);
      const std::span<const std::uint8_t> desc(file_.data() + descAt, note.n_descsz);
      if (noteName == "CORE" && note.n_type == NT_PRSTATUS) {
        if (auto cpu = decodePrstatus(desc)) prstatus.push_back(*cpu);
      } else if (noteName == "QEMU" && note.n_type == 0) {
        if (auto cpu = decodeQemuCpuState(desc)) qemu.push_back(*cpu);
      }
      at = std::min(next, end);
    }
  }

  const MappedFile& file_;
  const std::string name_;
  bool is64_ = true;
};

}  // namespace

ElfCoreImage::Layout ElfCoreImage::parse(const MappedFile& file) {
  Layout layout;
  ElfCoreParser(file).parse(layout.segments, layout.cpus, layout.machine);
  return layout;
}

ElfCoreImage::ElfCoreImage(const std::string& path) : ElfCoreImage(MappedFile(path)) {}

ElfCoreImage::ElfCoreImage(MappedFile file) : ElfCoreImage(std::move(file), parse(file)) {}

ElfCoreImage::ElfCoreImage(MappedFile&& file, Layout&& layout)
    : file_(std::move(file)),
      segments_(std::move(layout.segments), file_.size(), "ELF core " + file_.path()),
      cpus_(std::move(layout.cpus)),
      machine_(std::move(layout.machine)) {}

std::size_t ElfCoreImage::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  return segments_.read(file_, pa, out);
}

std::optional<std::span<const std::uint8_t>> ElfCoreImage::view(std::uint64_t pa,
                                                                std::size_t length) const {
  return segments_.view(file_, pa, length);
}

std::string ElfCoreImage::describe() const {
  return "ELF core " + file_.path() + " (" + machine_ + "), " + std::to_string(ranges().size()) +
         " range(s), " + humanByteSize(backedBytes()) + ", " + std::to_string(cpus_.size()) +
         " CPU(s)";
}

}  // namespace xnuscope
