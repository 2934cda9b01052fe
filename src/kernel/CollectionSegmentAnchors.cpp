#include "kernel/CollectionSegmentAnchors.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "kernel/KernelPageTableFinder.h"
#include "kernel/LowGlobals.h"
#include "mmu/X86_64Translator.h"

namespace xnuscope {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint32_t kMsgbufMagic = 0x63061;      // bsd/sys/msgbuf.h MSG_MAGIC
constexpr std::uint64_t kKmodInfoNameOffset = 0x10;  // osfmk/mach/kmod.h, pack(4)
constexpr std::uint64_t kKmodInfoNameLength = 64;    // KMOD_MAX_NAME
constexpr int kStrong = 2;
constexpr int kWeak = 1;

// The anchors, in the order they are probed.
constexpr std::array<const char*, 6> kAnchorSymbols = {"_IdlePML4", "_lowGlo",        "_BootPML4",
                                                       "_msgbufp",  "_version_major", "_kmod"};

bool isKernelPointer(std::uint64_t va) {
  return va >= kKernelStaticMapBase - 0x80000000ull && va % 8 == 0;
}

}  // namespace

std::uint64_t CollectionSegmentAnchors::readU64(std::uint64_t runtimeVa, bool* ok) const {
  std::uint64_t value = 0;
  *ok = runtimeVa >= kKernelStaticMapBase &&
        scanner_.read(runtimeVa - kKernelStaticMapBase,
                      std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&value), 8)) == 8;
  return value;
}

int CollectionSegmentAnchors::scoreAt(const KernelInfo& info, const std::string& symbol,
                                      std::uint64_t runtimeVa) const {
  const std::uint64_t pa = runtimeVa - kKernelStaticMapBase;
  bool ok = false;
  if (symbol == "_IdlePML4") {
    const std::uint64_t value = readU64(runtimeVa, &ok);
    return ok && info.dtb != 0 && (value & X86_64Translator::kCr3AddressMask) == info.dtb ? kStrong
                                                                                          : 0;
  }
  if (symbol == "_lowGlo") {
    std::array<std::uint8_t, 16> probe{};
    return scanner_.read(pa, probe) == probe.size() && LowGlobals::matchesSignature(probe) ? kStrong
                                                                                           : 0;
  }
  if (symbol == "_BootPML4") {
    if (pa == info.dtb) return 0;
    const KernelPageTableFinder finder(scanner_);
    return finder.mapsTo(pa, info.kernelBaseVa, info.kernelBasePa) ? kStrong : 0;
  }
  if (symbol == "_version_major") {
    const auto minor = symbols_.find("_version_minor");
    const auto major = symbols_.find("_version_major");
    if (minor == symbols_.end() || info.versionMajor == 0) return 0;
    std::int32_t got[2] = {0, 0};
    const bool read =
        scanner_.read(pa, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&got[0]), 4)) ==
            4 &&
        scanner_.read(pa + (minor->second - major->second),
                      std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&got[1]), 4)) == 4;
    return read && got[0] == info.versionMajor && got[1] == info.versionMinor ? kWeak : 0;
  }
  // Pointers into the heap: follow them through the kernel page tables.
  if (info.dtb == 0) return 0;
  const std::uint64_t pointer = readU64(runtimeVa, &ok);
  if (!ok || !isKernelPointer(pointer)) return 0;
  const X86_64Translator translator(memory_, info.dtb);
  if (symbol == "_msgbufp") {
    const auto target = translator.translateUncached(pointer);
    std::uint32_t magic = 0;
    return target &&
                   scanner_.read(
                       target->pa,
                       std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&magic), 4)) == 4 &&
                   magic == kMsgbufMagic
               ? kStrong
               : 0;
  }
  if (symbol == "_kmod") {
    const auto target = translator.translateUncached(pointer + kKmodInfoNameOffset);
    std::array<char, kKmodInfoNameLength> name{};
    if (!target || scanner_.read(target->pa, std::span<std::uint8_t>(
                                                 reinterpret_cast<std::uint8_t*>(name.data()),
                                                 name.size())) != name.size()) {
      return 0;
    }
    const auto end = std::find(name.begin(), name.end(), '\0');
    const bool printable =
        end != name.end() && end - name.begin() >= 3 && std::all_of(name.begin(), end, [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        });
    return printable && std::find(name.begin(), end, '.') != end ? kWeak : 0;
  }
  return 0;
}

CollectionSegmentResult CollectionSegmentAnchors::apply(KernelInfo& info) const {
  CollectionSegmentResult result;
  const KernelSegment* text = nullptr;
  for (const auto& segment : info.segments) {
    if (segment.name == "__TEXT") text = &segment;
  }
  std::vector<std::pair<std::size_t, CollectionSegmentAnchor>> chosen;
  for (std::size_t index = 0; index < info.segments.size(); ++index) {
    const KernelSegment& segment = info.segments[index];
    if (segment.name == "__TEXT" || segment.size == 0) continue;
    // shift (runtime − linked) → score and agreeing symbols
    std::map<std::uint64_t, CollectionSegmentAnchor> byShift;
    for (const char* name : kAnchorSymbols) {
      const auto symbol = symbols_.find(name);
      if (symbol == symbols_.end()) continue;
      const std::uint64_t linked = symbol->second;
      std::uint64_t va = segment.runtimeStart + ((linked - segment.runtimeStart) % kPage);
      for (; va < segment.runtimeStart + segment.size; va += kPage) {
        const int score = scoreAt(info, name, va);
        if (score == 0) continue;
        const std::uint64_t shift = va - linked;
        auto& anchor = byShift[shift];
        anchor.segment = segment.name;
        anchor.unslidStart = segment.runtimeStart - shift;
        anchor.score += score;
        anchor.symbols.push_back(name);
      }
    }
    const CollectionSegmentAnchor* best = nullptr;
    bool tie = false;
    for (const auto& [shift, anchor] : byShift) {
      if (!best || anchor.score > best->score) {
        best = &anchor;
        tie = false;
      } else if (anchor.score == best->score) {
        tie = true;
      }
    }
    if (best && tie && best->score >= kStrong) {
      result.ambiguous.push_back(segment.name);
    } else if (best && best->score >= kStrong) {
      chosen.emplace_back(index, *best);
    } else {
      result.unplaced.push_back(segment.name);
    }
  }
  // Linked ranges cannot overlap each other or __TEXT; keep the better-supported one.
  auto overlaps = [&](std::uint64_t start, std::uint64_t size, std::uint64_t otherStart,
                      std::uint64_t otherSize) {
    return start < otherStart + otherSize && otherStart < start + size;
  };
  std::sort(chosen.begin(), chosen.end(),
            [](const auto& a, const auto& b) { return a.second.score > b.second.score; });
  std::vector<std::pair<std::size_t, CollectionSegmentAnchor>> kept;
  for (auto& candidate : chosen) {
    const KernelSegment& segment = info.segments[candidate.first];
    bool clash =
        text && overlaps(candidate.second.unslidStart, segment.size, text->unslidStart, text->size);
    for (const auto& other : kept) {
      clash = clash || overlaps(candidate.second.unslidStart, segment.size,
                                other.second.unslidStart, info.segments[other.first].size);
    }
    if (clash) {
      result.ambiguous.push_back(segment.name);
    } else {
      kept.push_back(std::move(candidate));
    }
  }
  for (auto& [index, anchor] : kept) {
    info.segments[index].unslidStart = anchor.unslidStart;
    result.placed.push_back(std::move(anchor));
  }
  return result;
}

}  // namespace xnuscope
