#include "xnu/VmMapWalker.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "core/Hex.h"
#include "core/LittleEndian.h"

namespace xnuscope {
namespace {

constexpr std::uint64_t kMaxEntryStructSize = 4096;

// Little-endian load of up to 8 bytes at `offset`, clipped to the struct.
std::uint64_t loadWord(const std::uint8_t* bytes, std::uint64_t size, std::uint64_t offset) {
  return loadLittleEndianClipped<std::uint64_t>(std::span<const std::uint8_t>(bytes, size),
                                                static_cast<std::size_t>(offset));
}

}  // namespace

VmMapWalker::VmMapWalker(const XnuKernel& kernel, VmMapWalkerLimits limits)
    : kernel_(kernel), limits_(limits) {}

VmMapEntryRecord VmMapWalker::decode(std::uint64_t entryVa, const std::uint8_t* bytes) const {
  const XnuLayout& layout = kernel_.layout();
  const std::uint64_t size = layout.entrySize;
  VmMapEntryRecord entry;
  entry.address = entryVa;
  entry.start = loadWord(bytes, size, layout.entryLinks + layout.linksStart);
  entry.end = loadWord(bytes, size, layout.entryLinks + layout.linksEnd);
  auto bits = [&](const XnuBitRange& range) {
    return range.extract(loadWord(bytes, size, range.wordOffset));
  };
  entry.protection = static_cast<std::uint32_t>(bits(layout.entryProtection));
  entry.maxProtection = static_cast<std::uint32_t>(bits(layout.entryMaxProtection));
  entry.inheritance = static_cast<std::uint32_t>(bits(layout.entryInheritance));
  entry.isSubmap = bits(layout.entryIsSubMap) != 0;

  const std::uint64_t rawOffset = loadWord(bytes, size, layout.entryOffset);
  if (layout.tagLocation == VmTagLocation::AliasBits && layout.entryAlias) {
    entry.tag = static_cast<std::uint32_t>(bits(*layout.entryAlias));
    entry.offset = rawOffset;
  } else {
    // VME_ALIAS = vme_offset & PAGE_MASK, VME_OFFSET = vme_offset & ~PAGE_MASK.
    entry.tag = static_cast<std::uint32_t>(rawOffset & 0xfff);
    entry.offset = rawOffset & ~0xfffull;
  }

  if (layout.packedObject) {
    if (entry.isSubmap) {
      // vme_submap:62 holds the pointer >> 2 above the two flag bits.
      entry.object = loadWord(bytes, size, layout.entryObject) & ~3ull;
    } else {
      const std::uint64_t packed = loadWord(bytes, size, layout.entryPackedObject) & 0xffffffffull;
      entry.object = packed == 0 ? 0 : (packed << 6) + kXnuKernelAddressMin;
    }
  } else {
    entry.object = loadWord(bytes, size, layout.entryObject);
  }
  return entry;
}

VmMapListing VmMapWalker::walk(std::uint64_t mapVa) const {
  const XnuLayout& layout = kernel_.layout();
  XnuLayout::require(layout.vmMapsUnavailable);
  const VirtualMemory& memory = kernel_.memory();
  VmMapListing listing;
  listing.map = mapVa;
  const std::string where = "vm_map " + hex(mapVa);
  if (!isPlausibleKernelPointer(mapVa)) {
    listing.status.incomplete(where + " is not a kernel pointer; no entries walked");
    return listing;
  }
  if (layout.entrySize == 0 || layout.entrySize > kMaxEntryStructSize) {
    listing.status.incomplete("profile gives an implausible sizeof(vm_map_entry) " +
                              hex(layout.entrySize));
    return listing;
  }
  const std::uint64_t headVa = mapVa + layout.mapHeaderLinks;
  const auto nentries = memory.readU32(mapVa + layout.mapNentries);
  const auto first = memory.readPointer(headVa + layout.linksNext);
  if (!nentries || !first) {
    listing.status.incomplete(where + ": header is unreadable; no entries walked");
    return listing;
  }
  listing.declaredEntries = static_cast<std::int32_t>(*nentries);
  if (const auto pmap = memory.readPointer(mapVa + layout.mapPmap);
      pmap && isPlausibleKernelPointer(*pmap)) {
    listing.pmapCr3 = memory.readU64(*pmap + layout.pmapCr3);
  }

  std::unordered_set<std::uint64_t> seen;
  std::vector<std::uint8_t> bytes(layout.entrySize);
  std::uint64_t link = *first;  // points at the next entry's links (entry + entryLinks)
  std::string from = "hdr.links.next";
  bool sorted = true;
  std::uint64_t previousEnd = 0;
  while (link != headVa) {
    if (listing.entries.size() >= limits_.maxEntries) {
      listing.status.incomplete(where + ": stopped after " + std::to_string(limits_.maxEntries) +
                                " entries (limit); hdr.nentries says " +
                                std::to_string(listing.declaredEntries));
      break;
    }
    if (link == kXnuPoison || !isPlausibleKernelPointer(link) || link < layout.entryLinks) {
      listing.status.incomplete(
          where + ": " + from + " is " + hex(link) +
          (link == kXnuPoison ? " (freed-entry poison)" : " (not a kernel pointer)") +
          "; walk stopped after " + std::to_string(listing.entries.size()) + " entries");
      break;
    }
    const std::uint64_t entryVa = link - layout.entryLinks;
    if (!seen.insert(entryVa).second) {
      listing.status.incomplete(where + ": " + from + " links back to entry " + hex(entryVa) +
                                " already visited (a cycle); walk stopped after " +
                                std::to_string(listing.entries.size()) + " entries");
      break;
    }
    const std::size_t got = memory.read(entryVa, bytes);
    if (got < bytes.size()) {
      listing.status.incomplete(where + ": " + from + " points to " + hex(entryVa) +
                                ", which is unreadable; walk stopped after " +
                                std::to_string(listing.entries.size()) + " entries");
      break;
    }
    VmMapEntryRecord entry = decode(entryVa, bytes.data());
    if (entry.start >= entry.end || (entry.start & 0xfff) || (entry.end & 0xfff)) {
      listing.status.incomplete(where + ": entry " + hex(entryVa) + " has implausible range " +
                                hex(entry.start) + "-" + hex(entry.end) + "; walk stopped after " +
                                std::to_string(listing.entries.size()) + " entries");
      break;
    }
    if (entry.start < previousEnd) sorted = false;
    previousEnd = entry.end;
    listing.entries.push_back(entry);
    from = "links.next of entry " + hex(entryVa);
    // Clipped to the struct: a wrong profile may place links.next past it.
    link = loadWord(bytes.data(), bytes.size(), layout.entryLinks + layout.linksNext);
  }
  if (listing.status.complete &&
      static_cast<std::int64_t>(listing.entries.size()) != listing.declaredEntries) {
    listing.status.incomplete(where + ": walked " + std::to_string(listing.entries.size()) +
                              " entries but hdr.nentries says " +
                              std::to_string(listing.declaredEntries));
  }
  if (!sorted) {
    // The kernel keeps the list sorted; overlap means a corrupt or racing map.
    listing.status.warnings.push_back(where + ": entries are not in address order in memory");
  }
  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const VmMapEntryRecord& a, const VmMapEntryRecord& b) { return a.start < b.start; });
  return listing;
}

}  // namespace xnuscope
