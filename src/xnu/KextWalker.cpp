#include "xnu/KextWalker.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "core/Hex.h"
#include "core/LittleEndian.h"

namespace xnuscope {
namespace {

// OSKextLoadedKextSummary (libkern/libkern/OSKextLibPrivate.h): name[64], uuid[16],
// address, size, version (u64 each), loadTag, flags (u32), reference_list, and in
// later releases more fields — the header's entry_size gives the stride.
constexpr std::uint64_t kSummaryHeaderSize = 16;
constexpr std::uint64_t kSummaryName = 0;
constexpr std::uint64_t kSummaryNameLength = 64;
constexpr std::uint64_t kSummaryAddress = 80;
constexpr std::uint64_t kSummarySize = 88;
constexpr std::uint64_t kSummaryVersion = 96;
constexpr std::uint64_t kSummaryLoadTag = 104;
constexpr std::uint64_t kSummaryMinEntrySize = 112;
constexpr std::uint64_t kSummaryMaxEntrySize = 4096;

// A bundle identifier: printable, no spaces, non-empty.
bool plausibleBundleName(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string cString(const std::uint8_t* bytes, std::size_t length) {
  std::size_t n = 0;
  while (n < length && bytes[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(bytes), n);
}

}  // namespace

void KextWalker::walkKmodList(KextListing& listing) const {
  const XnuLayout& layout = kernel_.layout();
  if (!layout.kextsUnavailable.empty()) {
    listing.status.incomplete("kmod list not walked: " + layout.kextsUnavailable);
    return;
  }
  const auto head = kernel_.runtime(layout.symKmod);
  if (!head) {
    listing.status.warnings.push_back("kmod: the profile has no _kmod symbol; list not walked");
    return;
  }
  const auto first = kernel_.memory().readPointer(*head);
  if (!first) {
    listing.status.incomplete("kmod: _kmod at " + hex(*head) + " is unreadable");
    return;
  }
  const std::uint64_t structSize = std::max(
      {layout.kmodName + layout.kmodNameLength, layout.kmodVersion + layout.kmodVersionLength,
       layout.kmodAddress + 8, layout.kmodSize + 8, layout.kmodNext + 8, layout.kmodId + 4});
  std::vector<std::uint8_t> bytes(structSize);
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t current = *first;
  std::string from = "_kmod";
  while (current != 0) {
    if (listing.kexts.size() >= kMaxKexts) {
      listing.status.incomplete("kmod: stopped after " + std::to_string(kMaxKexts) +
                                " entries (limit)");
      break;
    }
    if (!isPlausibleKernelPointer(current & ~7ull) || !seen.insert(current).second) {
      listing.status.incomplete(
          "kmod: " + from + " points to " + hex(current) +
          (seen.count(current) ? " already visited (a cycle)" : " (not a kernel pointer)") +
          "; walk stopped");
      break;
    }
    if (!kernel_.memory().readExact(current, bytes)) {
      listing.status.incomplete("kmod: " + from + " points to " + hex(current) +
                                ", which is unreadable; walk stopped");
      break;
    }
    KextRecord kext;
    kext.infoAddress = current;
    // Clipped to kmod_info: a wrong profile may place name/version past the struct.
    auto field = [&](std::uint64_t offset, std::uint64_t length) {
      if (offset >= bytes.size()) return std::string();
      return cString(bytes.data() + offset, std::min<std::uint64_t>(length, bytes.size() - offset));
    };
    kext.name = field(layout.kmodName, layout.kmodNameLength);
    kext.version = field(layout.kmodVersion, layout.kmodVersionLength);
    kext.address = loadLittleEndianOr<std::uint64_t>(bytes, layout.kmodAddress);
    kext.size = loadLittleEndianOr<std::uint64_t>(bytes, layout.kmodSize);
    kext.id = loadLittleEndianOr<std::uint32_t>(bytes, layout.kmodId);
    kext.inKmodList = true;
    if (!plausibleBundleName(kext.name)) {
      listing.status.incomplete("kmod: kmod_info at " + hex(current) +
                                " has no printable name; walk stopped");
      break;
    }
    listing.kexts.push_back(kext);
    from = "next of " + kext.name;
    current = loadLittleEndianOr<std::uint64_t>(bytes, layout.kmodNext);
  }
}

void KextWalker::walkSummaries(KextListing& listing) const {
  const auto symbol = kernel_.runtime(kernel_.layout().symLoadedKextSummaries);
  if (!symbol) return;  // older profiles: the kmod list is the whole story
  const auto header = kernel_.memory().readPointer(*symbol);
  if (!header) {
    listing.status.incomplete("gLoadedKextSummaries at " + hex(*symbol) + " is unreadable");
    return;
  }
  if (*header == 0) return;  // not yet published by the kernel
  if (!isPlausibleKernelPointer(*header)) {
    listing.status.incomplete("gLoadedKextSummaries holds " + hex(*header) +
                              ", not a kernel pointer; summaries not read");
    return;
  }
  const auto entrySize = kernel_.memory().readU32(*header + 4);
  const auto count = kernel_.memory().readU32(*header + 8);
  if (!entrySize || !count) {
    listing.status.incomplete("loaded kext summaries header at " + hex(*header) + " is unreadable");
    return;
  }
  if (*entrySize < kSummaryMinEntrySize || *entrySize > kSummaryMaxEntrySize ||
      *count > kMaxKexts) {
    listing.status.incomplete("loaded kext summaries header at " + hex(*header) +
                              " is implausible (entry_size " + std::to_string(*entrySize) +
                              ", numSummaries " + std::to_string(*count) + "); not read");
    return;
  }
  std::vector<std::uint8_t> bytes(*entrySize);
  for (std::uint32_t i = 0; i < *count; ++i) {
    const std::uint64_t entry = *header + kSummaryHeaderSize + std::uint64_t{i} * *entrySize;
    if (!kernel_.memory().readExact(entry, bytes)) {
      listing.status.incomplete("loaded kext summary " + std::to_string(i) + " at " + hex(entry) +
                                " is unreadable; read " + std::to_string(i) + " of " +
                                std::to_string(*count));
      break;
    }
    const std::string name = cString(bytes.data() + kSummaryName, kSummaryNameLength);
    const auto address = loadLittleEndianOr<std::uint64_t>(bytes, kSummaryAddress);
    if (!plausibleBundleName(name)) {
      listing.status.incomplete("loaded kext summary " + std::to_string(i) +
                                " has no printable name; summaries stopped");
      break;
    }
    bool matched = false;
    for (auto& kext : listing.kexts) {
      if (kext.name == name && kext.address == address) {
        kext.inSummaries = true;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    KextRecord kext;
    kext.name = name;
    kext.address = address;
    kext.size = loadLittleEndianOr<std::uint64_t>(bytes, kSummarySize);
    kext.version = decodeOsKextVersion(loadLittleEndianOr<std::uint64_t>(bytes, kSummaryVersion));
    kext.id = loadLittleEndianOr<std::uint32_t>(bytes, kSummaryLoadTag);
    kext.inSummaries = true;
    listing.kexts.push_back(kext);
  }
}

KextListing KextWalker::walk() const {
  KextListing listing;
  walkKmodList(listing);
  walkSummaries(listing);
  return listing;
}

}  // namespace xnuscope
