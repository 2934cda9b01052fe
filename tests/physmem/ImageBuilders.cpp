#include "ImageBuilders.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace xnuscope::test {
namespace {

template <typename T>
void put(Bytes& out, std::size_t at, T value) {
  if (out.size() < at + sizeof value) out.resize(at + sizeof value);
  std::memcpy(out.data() + at, &value, sizeof value);
}

template <typename T>
void append(Bytes& out, T value) {
  put(out, out.size(), value);
}

void align4(Bytes& out) { out.resize((out.size() + 3) & ~std::size_t{3}); }

void appendNote(Bytes& out, const char* name, std::uint32_t type, const Bytes& desc) {
  const auto nameSize = static_cast<std::uint32_t>(std::strlen(name) + 1);
  append<std::uint32_t>(out, nameSize);
  append<std::uint32_t>(out, static_cast<std::uint32_t>(desc.size()));
  append<std::uint32_t>(out, type);
  out.insert(out.end(), name, name + nameSize);
  align4(out);
  out.insert(out.end(), desc.begin(), desc.end());
  align4(out);
}

// Linux elf_prstatus as QEMU writes it: x86_64 (pr_reg at 112, 27 registers,
// rip is register 16, rsp 19) or i386 (pr_reg at 72, eip at +48, esp at +60).
Bytes prstatus(const ElfCpu& cpu, bool x86_64, std::uint32_t pid) {
  Bytes desc(x86_64 ? 336 : 144, 0);
  if (x86_64) {
    put<std::uint32_t>(desc, 32, pid);
    put<std::uint64_t>(desc, 112 + 16 * 8, cpu.rip);
    put<std::uint64_t>(desc, 112 + 19 * 8, cpu.rsp);
  } else {
    put<std::uint32_t>(desc, 24, pid);
    put<std::uint32_t>(desc, 72 + 48, static_cast<std::uint32_t>(cpu.rip));
    put<std::uint32_t>(desc, 72 + 60, static_cast<std::uint32_t>(cpu.rsp));
  }
  return desc;
}

// QEMUCPUState version 1 plus kernel_gs_base (440 bytes, as QEMU >= 7 writes).
Bytes qemuCpuState(const ElfCpu& cpu) {
  Bytes desc(440, 0);
  put<std::uint32_t>(desc, 0, 1);
  put<std::uint32_t>(desc, 4, 440);
  for (int reg = 0; reg < 16; ++reg) put<std::uint64_t>(desc, 8 + reg * 8, 0x1111 * (reg + 1));
  put<std::uint64_t>(desc, 8 + 6 * 8, cpu.rsp);
  put<std::uint64_t>(desc, 136, cpu.rip);
  put<std::uint64_t>(desc, 144, 0x202);  // rflags
  put<std::uint64_t>(desc, 392 + 0 * 8, cpu.cr0);
  put<std::uint64_t>(desc, 392 + 2 * 8, 0xdeadull);  // cr2
  put<std::uint64_t>(desc, 392 + 3 * 8, cpu.cr3);
  put<std::uint64_t>(desc, 392 + 4 * 8, cpu.cr4);
  return desc;
}

}  // namespace

Bytes patternBytes(std::size_t size, std::uint32_t seed) {
  Bytes bytes(size);
  std::uint32_t state = seed * 2654435761u + 1;
  for (auto& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<std::uint8_t>(state);
  }
  return bytes;
}

void writeFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write test file " + path);
}

Bytes buildLime(const std::vector<LimeRange>& ranges) {
  Bytes out;
  for (const auto& range : ranges) {
    append<std::uint32_t>(out, 0x4C694D45);
    append<std::uint32_t>(out, 1);
    append<std::uint64_t>(out, range.start);
    append<std::uint64_t>(out, range.start + range.data.size() - 1);
    append<std::uint64_t>(out, 0);
    out.insert(out.end(), range.data.begin(), range.data.end());
  }
  return out;
}

Bytes buildElfCore(const ElfCoreSpec& spec) {
  const bool x86_64 = spec.machine == 62;
  Bytes notes;
  for (std::size_t i = 0; i < spec.cpus.size(); ++i) {
    appendNote(notes, "CORE", 1, prstatus(spec.cpus[i], x86_64, static_cast<std::uint32_t>(i + 1)));
  }
  if (spec.qemuNotes) {
    for (const auto& cpu : spec.cpus) appendNote(notes, "QEMU", 0, qemuCpuState(cpu));
  }

  const std::size_t ehdrSize = spec.class64 ? 64 : 52;
  const std::size_t phdrSize = spec.class64 ? 56 : 32;
  const std::size_t shdrSize = spec.class64 ? 64 : 40;
  const std::size_t phnum = 1 + spec.loads.size();
  const std::size_t phoff = ehdrSize;
  const std::size_t shoff = phoff + phnum * phdrSize;
  const std::size_t notesOffset = shoff + (spec.extendedPhnum ? shdrSize : 0);
  std::size_t dataOffset = (notesOffset + notes.size() + 0xfff) & ~std::size_t{0xfff};

  Bytes out(ehdrSize, 0);
  const std::uint8_t ident[] = {
      0x7f, 'E', 'L', 'F', static_cast<std::uint8_t>(spec.class64 ? 2 : 1), 1, 1};
  std::memcpy(out.data(), ident, sizeof ident);
  put<std::uint16_t>(out, 16, spec.type);
  put<std::uint16_t>(out, 18, spec.machine);
  put<std::uint32_t>(out, 20, 1);
  const std::uint16_t phnumField = spec.extendedPhnum ? 0xffff : static_cast<std::uint16_t>(phnum);
  if (spec.class64) {
    put<std::uint64_t>(out, 32, phoff);
    put<std::uint64_t>(out, 40, spec.extendedPhnum ? shoff : 0);
    put<std::uint16_t>(out, 52, 64);
    put<std::uint16_t>(out, 54, 56);
    put<std::uint16_t>(out, 56, phnumField);
    put<std::uint16_t>(out, 58, 64);
    put<std::uint16_t>(out, 60, spec.extendedPhnum ? 1 : 0);
  } else {
    put<std::uint32_t>(out, 28, static_cast<std::uint32_t>(phoff));
    put<std::uint32_t>(out, 32, static_cast<std::uint32_t>(spec.extendedPhnum ? shoff : 0));
    put<std::uint16_t>(out, 40, 52);
    put<std::uint16_t>(out, 42, 32);
    put<std::uint16_t>(out, 44, phnumField);
    put<std::uint16_t>(out, 46, 40);
    put<std::uint16_t>(out, 48, spec.extendedPhnum ? 1 : 0);
  }

  auto writePhdr = [&](std::size_t index, std::uint32_t type, std::uint64_t offset,
                       std::uint64_t paddr, std::uint64_t filesz, std::uint64_t memsz) {
    const std::size_t at = phoff + index * phdrSize;
    if (spec.class64) {
      put<std::uint32_t>(out, at, type);
      put<std::uint64_t>(out, at + 8, offset);
      put<std::uint64_t>(out, at + 16, 0);  // vaddr: QEMU writes 0 without paging
      put<std::uint64_t>(out, at + 24, paddr);
      put<std::uint64_t>(out, at + 32, filesz);
      put<std::uint64_t>(out, at + 40, memsz);
    } else {
      put<std::uint32_t>(out, at, type);
      put<std::uint32_t>(out, at + 4, static_cast<std::uint32_t>(offset));
      put<std::uint32_t>(out, at + 12, static_cast<std::uint32_t>(paddr));
      put<std::uint32_t>(out, at + 16, static_cast<std::uint32_t>(filesz));
      put<std::uint32_t>(out, at + 20, static_cast<std::uint32_t>(memsz));
    }
  };
  writePhdr(0, 4 /* PT_NOTE */, notesOffset, 0, notes.size(), notes.size());
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < spec.loads.size(); ++i) {
    const auto& load = spec.loads[i];
    offsets.push_back(dataOffset);
    writePhdr(i + 1, 1 /* PT_LOAD */, dataOffset, load.paddr, load.data.size(),
              load.memsz ? load.memsz : load.data.size());
    dataOffset += load.data.size();
  }
  if (spec.extendedPhnum) {
    // Section header 0: sh_info (offset 44 in Elf64_Shdr, 28 in Elf32_Shdr) = phnum.
    put<std::uint32_t>(out, shoff + (spec.class64 ? 44 : 28), static_cast<std::uint32_t>(phnum));
  }
  out.resize(notesOffset);
  out.insert(out.end(), notes.begin(), notes.end());
  for (std::size_t i = 0; i < spec.loads.size(); ++i) {
    out.resize(offsets[i]);
    out.insert(out.end(), spec.loads[i].data.begin(), spec.loads[i].data.end());
  }
  return out;
}

}  // namespace xnuscope::test
