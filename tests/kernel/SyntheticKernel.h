// A small, hand-made x86_64 XNU kernel in PagedTestMemory: Mach-O header with
// __HIB/__TEXT/__DATA/__LINKEDIT, resident symbol table, banner, version ints,
// osversion, lowGlo, _IdlePML4 and both boot and idle page tables. Independent of
// the Python forge, so the locator's unit tests can target single facts.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "mmu/PagedTestMemory.h"

namespace xnuscope::test {

struct SyntheticKernelSpec {
  std::uint64_t slide = 0x1a400000;
  bool residentSymbols = true;  // __LINKEDIT symtab readable (keepsyms=1)
  bool lowGlobals = true;       // write the lowGlo page
  bool header = true;           // write the Mach-O header
  bool headerHoldsRuntime = false;
  bool kernelCollection = false;             // wrap in an MH_FILESET; __DATA gets its own slide
  std::uint64_t dataExtraSlide = 0x3200000;  // KC only: __DATA moves this much further
  std::string banner =
      "Darwin Kernel Version 17.7.0: Thu Jun 21 22:53:14 PDT 2018; "
      "root:xnu-4570.71.2~1/RELEASE_X86_64";
  std::string osversion = "17G65";
};

class SyntheticKernel {
 public:
  static constexpr std::uint64_t kBase = 0xffffff8000000000ull;
  static constexpr std::uint64_t kHib = 0xffffff8000100000ull;
  static constexpr std::uint64_t kText = 0xffffff8000200000ull;
  static constexpr std::uint64_t kData = 0xffffff8000400000ull;
  static constexpr std::uint64_t kLinkedit = 0xffffff8000600000ull;
  static constexpr std::uint64_t kDataSize = 0x200000, kTextSize = 0x200000;

  PagedTestMemory memory;
  SyntheticKernelSpec spec;
  std::map<std::string, std::uint64_t> symbols;  // unslid
  std::uint64_t idlePml4 = 0x7f3000;             // set in build()
  std::uint64_t headerPa = 0, filesetPa = 0;
  std::array<std::uint8_t, 16> uuid{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01};

  explicit SyntheticKernel(SyntheticKernelSpec s) : spec(std::move(s)) { build(); }

  std::uint64_t slideOf(std::uint64_t unslid) const {
    const bool data = unslid >= kData && unslid < kData + kDataSize;
    return unslid + spec.slide + (spec.kernelCollection && data ? spec.dataExtraSlide : 0);
  }
  std::uint64_t paOf(std::uint64_t unslid) const { return slideOf(unslid) - kBase; }

 private:
  void u32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    b.insert(b.end(), reinterpret_cast<std::uint8_t*>(&v), reinterpret_cast<std::uint8_t*>(&v) + 4);
  }
  void u64(std::vector<std::uint8_t>& b, std::uint64_t v) {
    b.insert(b.end(), reinterpret_cast<std::uint8_t*>(&v), reinterpret_cast<std::uint8_t*>(&v) + 8);
  }
  void name16(std::vector<std::uint8_t>& b, const std::string& n) {
    std::uint8_t raw[16] = {};
    std::memcpy(raw, n.data(), std::min<std::size_t>(16, n.size()));
    b.insert(b.end(), raw, raw + 16);
  }
  void segment(std::vector<std::uint8_t>& b, const std::string& n, std::uint64_t vmaddr,
               std::uint64_t vmsize, std::uint64_t fileoff) {
    u32(b, 0x19);
    u32(b, 72);
    name16(b, n);
    u64(b, spec.headerHoldsRuntime || spec.kernelCollection ? slideOf(vmaddr) : vmaddr);
    u64(b, vmsize);
    u64(b, fileoff);
    u64(b, vmsize);
    u32(b, 7);
    u32(b, 7);
    u32(b, 0);
    u32(b, 0);
  }

  void build() {
    symbols = {{"__mh_execute_header", kText},     {"_BootPML4", kHib},
               {"_version", kData + 0x1000},       {"_version_major", kData + 0x1080},
               {"_version_minor", kData + 0x1084}, {"_osversion", kData + 0x1100},
               {"_IdlePML4", kData + 0x2008},      {"_lowGlo", kData + 0x10000},
               {"_allproc", kData + 0x3000}};

    // Symbol table in __LINKEDIT (file offset 0x600000 = its VA − __HIB start).
    std::vector<std::uint8_t> strtab{0}, nlist;
    for (const auto& [n, v] : symbols) {
      u32(nlist, static_cast<std::uint32_t>(strtab.size()));
      nlist.push_back(0x0f);  // N_SECT | N_EXT
      nlist.push_back(1);
      nlist.push_back(0);
      nlist.push_back(0);
      u64(nlist, v);
      strtab.insert(strtab.end(), n.begin(), n.end());
      strtab.push_back(0);
    }
    const std::uint64_t linkeditFileoff = 0x500000;
    if (spec.residentSymbols) {
      memory.write(paOf(kLinkedit), nlist);
      memory.write(paOf(kLinkedit) + nlist.size(), strtab);
    }

    std::vector<std::uint8_t> cmds;
    segment(cmds, "__TEXT", kText, kTextSize, 0);
    segment(cmds, "__DATA", kData, kDataSize, 0x200000);
    segment(cmds, "__HIB", kHib, 0x100000, 0x400000);
    segment(cmds, "__LINKEDIT", kLinkedit, 0x10000, linkeditFileoff);
    u32(cmds, 0x1b);
    u32(cmds, 24);
    cmds.insert(cmds.end(), uuid.begin(), uuid.end());
    u32(cmds, 2);
    u32(cmds, 24);
    u32(cmds, static_cast<std::uint32_t>(linkeditFileoff));
    u32(cmds, static_cast<std::uint32_t>(symbols.size()));
    u32(cmds, static_cast<std::uint32_t>(linkeditFileoff + nlist.size()));
    u32(cmds, static_cast<std::uint32_t>(strtab.size()));
    std::vector<std::uint8_t> header;
    u32(header, 0xfeedfacf);
    u32(header, 0x01000007);
    u32(header, 3);
    u32(header, 2);
    u32(header, 6);
    u32(header, static_cast<std::uint32_t>(cmds.size()));
    u32(header, 0x200001);
    u32(header, 0);
    header.insert(header.end(), cmds.begin(), cmds.end());
    headerPa = paOf(kText);
    if (spec.header)
      memory.write(headerPa, header);
    else
      memory.back(headerPa, 4096);

    if (spec.kernelCollection) {
      // The fileset header one page below... no: 2 MiB below the kernel, as a KC
      // loads its prelinked collection ahead of the kernel entry.
      filesetPa = headerPa - 0x1ff000;
      std::vector<std::uint8_t> entry;
      const std::string id = "com.apple.kernel";
      u32(entry, 0x80000035);
      u32(entry, 32 + 24);
      u64(entry, slideOf(kText));
      u64(entry, headerPa - filesetPa);
      u32(entry, 32);
      u32(entry, 0);
      entry.insert(entry.end(), id.begin(), id.end());
      entry.resize(32 + 24, 0);
      std::vector<std::uint8_t> kc;
      u32(kc, 0xfeedfacf);
      u32(kc, 0x01000007);
      u32(kc, 3);
      u32(kc, 0xc);
      u32(kc, 1);
      u32(kc, static_cast<std::uint32_t>(entry.size()));
      u32(kc, 0);
      u32(kc, 0);
      kc.insert(kc.end(), entry.begin(), entry.end());
      memory.write(filesetPa, kc);
    }

    memory.writeString(paOf(symbols["_version"]), spec.banner);
    memory.writeU32(paOf(symbols["_version_major"]), 17);
    memory.writeU32(paOf(symbols["_version_minor"]), 7);
    memory.writeString(paOf(symbols["_osversion"]), spec.osversion);
    if (spec.lowGlobals) {
      const std::uint64_t lg = paOf(symbols["_lowGlo"]);
      memory.write(lg, std::vector<std::uint8_t>{'C', 'a', 't', 'f', 'i', 's', 'h', ' ', 0, 0, 0, 0,
                                                 0, 0, 0, 0});
      memory.writeU64(lg + 0x10, slideOf(kText));
      memory.writeU64(lg + 0x30, slideOf(symbols["_version"]));
      memory.writeU64(lg + 0x920, slideOf(symbols["_osversion"]));
    } else {
      memory.back(paOf(symbols["_lowGlo"]), 4096);
    }

    // Page tables: the boot PML4 opens __HIB; the idle one sits in free RAM and
    // is named by _IdlePML4 (low 32 bits, as ID_MAP_VTOP stores it).
    TestPageTables boot(memory, paOf(kHib), paOf(kHib) + 0x1000);
    TestPageTables idle(memory, idlePml4, 0x900000);
    for (auto* tables : {&boot, &idle}) {
      for (std::uint64_t unslid : {kHib, kText, kData, kLinkedit}) {
        const std::uint64_t size = unslid == kHib        ? 0x100000
                                   : unslid == kLinkedit ? 0x10000
                                                         : 0x200000;
        tables->mapRange(slideOf(unslid), paOf(unslid), size);
      }
    }
    memory.writeU64(paOf(symbols["_IdlePML4"]), 0xffffff8000000000ull | idlePml4);
    // Some ordinary RAM so that the image is not all kernel.
    memory.back(0, 0x10000);
    memory.back(0x4000000, 0x1000);
  }
};

}  // namespace xnuscope::test
