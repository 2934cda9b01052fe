#include "xnu/MalfindScanner.h"

#include "core/Hex.h"
#include "core/MachO.h"
#include "mmu/X86_64Translator.h"
#include "xnu/ProfileFields.h"
#include "xnu/VmMapWalker.h"

namespace xnuscope {

namespace {
constexpr std::uint32_t kProtWrite = 2, kProtExecute = 4;
}

MalfindLayout MalfindLayout::fromProfile(const Profile& profile) {
  const ProfileFields f(profile, "malfind");
  return MalfindLayout{f.bits("vm_object", "internal")};
}

void MalfindScanner::scan(const ProcessRecord& process, MalfindListing& listing) const {
  if (process.pid == 0 || process.zombie() || process.map == 0) return;
  const VirtualMemory& kmem = kernel_.memory();
  const VmMapListing map = VmMapWalker(kernel_).walk(process.map);
  ++listing.processesScanned;
  listing.entriesScanned += map.entries.size();
  for (const auto& warning : map.status.warnings) {
    listing.status.warnings.push_back("pid " + std::to_string(process.pid) + ": " + warning);
  }
  if (!map.status.complete) listing.status.complete = false;
  std::optional<X86_64Translator> translator;
  if (process.pmapCr3) translator.emplace(kmem.physical(), *process.pmapCr3);
  for (const auto& entry : map.entries) {
    if (entry.isSubmap || !(entry.protection & kProtExecute)) continue;
    bool anonymous = entry.object == 0;
    if (!anonymous) {
      const auto word = kmem.readU64(entry.object + layout_.objectInternal.wordOffset);
      if (!word) {
        listing.status.incomplete("pid " + std::to_string(process.pid) + ": vm_object " +
                                  hex(entry.object) + " of " + hex(entry.start) +
                                  " is unreadable; treated as anonymous");
        anonymous = true;
      } else {
        anonymous = layout_.objectInternal.extract(*word) != 0;
      }
    }
    const bool writable = entry.protection & kProtWrite;
    if (!writable && !anonymous) continue;
    MalfindHit hit;
    hit.pid = process.pid;
    hit.processName = process.name();
    hit.entry = entry;
    hit.anonymous = anonymous;
    hit.reason = writable ? "writable and executable" : "anonymous executable";
    if (translator) {
      const VirtualMemory user(kmem.physical(), *translator);
      hit.firstBytes.resize(std::min<std::uint64_t>(kPreviewBytes, entry.size()));
      const std::size_t got = user.read(entry.start, hit.firstBytes);
      hit.firstBytes.resize(got);
      hit.resident = got > 0;
      hit.machO = macho::describeHeader(hit.firstBytes);
      if (hit.resident)
        hit.disassembly = disassembleX86_64(hit.firstBytes, entry.start, kPreviewInstructions);
    }
    listing.hits.push_back(std::move(hit));
  }
}

}  // namespace xnuscope
