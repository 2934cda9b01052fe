// What the locator proved about the kernel in a memory image: where it is (VA, PA,
// KASLR slide, per-segment relocation), its page-table root, identity (banner,
// UUID, build) and the independent facts that support — or contradict — it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xnuscope {

// Kernel image VAs map 1:1 onto physical memory at this offset
// (ml_static_ptovirt: pa | 0xffffff8000000000).
inline constexpr std::uint64_t kKernelStaticMapBase = 0xffffff8000000000ull;
// Unslid `__mh_execute_header` (start of __TEXT) in every 10.9–10.13 kernel.
inline constexpr std::uint64_t kUnslidKernelHeaderVa = 0xffffff8000200000ull;

// One independent observation checked against the located kernel.
struct KernelFact {
  std::string name;  // "mach-o header at slid base", "lowGlo lgStext", ...
  bool agreed = false;
  std::string detail;  // what was compared, with addresses
};

// Where one kernel segment was linked and where it sits at run time.
struct KernelSegment {
  std::string name;
  std::uint64_t unslidStart = 0;
  std::uint64_t size = 0;
  std::uint64_t runtimeStart = 0;
  std::uint64_t pa = 0;
  bool contains(std::uint64_t unslidVa) const {
    return unslidVa >= unslidStart && unslidVa - unslidStart < size;
  }
};

// A banner or kernel header seen in memory and not taken as the kernel's.
struct KernelDecoy {
  std::string kind;  // "banner" or "mach-o header"
  std::uint64_t pa = 0;
  std::string detail;
};

struct KernelInfo {
  std::uint64_t kernelBaseVa = 0;  // runtime address of the kernel's Mach-O header
  std::uint64_t kernelBasePa = 0;
  std::uint64_t kaslrSlide = 0;  // slide of __TEXT; other segments may differ (KC)
  std::uint64_t dtb = 0;         // physical address of the kernel PML4
  std::string dtbSource;         // "_IdlePML4 via _BootPML4", "PML4 scan", "--dtb", ...
  // The DTB was not searched for: the other facts proved the kernel and the caller
  // locates again with symbols (KernelLocatorOptions::deferDtb). dtb is 0.
  bool dtbDeferred = false;
  std::string banner;    // the _version string
  std::string uuid;      // LC_UUID, "8-4-4-4-12" upper-case hex; empty if none
  std::string build;     // e.g. "17G65" from _osversion, else the xnu version
  int versionMajor = 0;  // Darwin major from the banner (17 = macOS 10.13)
  int versionMinor = 0;
  bool isKernelCollection = false;  // booted from an MH_FILESET (macOS 11+)
  std::uint64_t lowGlobalsPa = 0;   // 0 when no lowGlo page was found
  std::vector<KernelSegment> segments;
  std::vector<KernelFact> facts;
  std::vector<KernelDecoy> decoys;
  std::vector<std::string> warnings;
  std::uint64_t bytesTouched = 0;  // physical bytes the locator read (scan cost)
  // Whether all of RAM was searched for banner copies; decoyScan says how much, or
  // why not. Mach-O header copies near the kernel are reported either way.
  bool decoysSearched = false;
  std::string decoyScan;

  // Runtime VA of an unslid kernel address, through the segment that contains it;
  // addresses outside every segment move with the __TEXT slide (10.x case).
  std::uint64_t slideSymbol(std::uint64_t unslidVa) const {
    for (const auto& segment : segments) {
      if (segment.contains(unslidVa)) {
        return segment.runtimeStart + (unslidVa - segment.unslidStart);
      }
    }
    return unslidVa + kaslrSlide;
  }
  std::size_t agreedFactCount() const {
    std::size_t n = 0;
    for (const auto& fact : facts) n += fact.agreed ? 1 : 0;
    return n;
  }
};

}  // namespace xnuscope
