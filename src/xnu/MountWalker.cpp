#include "xnu/MountWalker.h"

#include <unordered_set>

#include "core/Hex.h"
#include "xnu/ProfileFields.h"

namespace xnuscope {

MountLayout MountLayout::fromProfile(const Profile& profile) {
  const ProfileFields f(profile, "mount");
  MountLayout layout;
  layout.symMountlist = f.symbol({"_mountlist"});
  layout.listNext = f.offset("mount", "mnt_list");  // tqe_next is the entry's first member
  layout.flag = f.offset("mount", "mnt_flag");
  const std::uint64_t stat = f.offset("mount", "mnt_vfsstat");
  layout.onName = stat + f.offset("vfsstatfs", "f_mntonname");
  layout.fromName = stat + f.offset("vfsstatfs", "f_mntfromname");
  layout.typeName = stat + f.offset("vfsstatfs", "f_fstypename");
  layout.pathLength = f.arrayLength("vfsstatfs", "f_mntonname", 1024);
  layout.typeLength = f.arrayLength("vfsstatfs", "f_fstypename", 16);
  return layout;
}

MountListing MountWalker::walk() const {
  const VirtualMemory& memory = kernel_.memory();
  MountListing listing;
  const std::uint64_t head = *kernel_.runtime(layout_.symMountlist);
  auto current = memory.readPointer(head);
  if (!current) {
    listing.status.incomplete("_mountlist at " + hex(head) + " is unreadable");
    return listing;
  }
  std::unordered_set<std::uint64_t> seen;
  std::string from = "_mountlist.tqh_first";
  while (*current != 0) {
    if (listing.mounts.size() >= kMaxMounts) {
      listing.status.incomplete("mount list: stopped after " + std::to_string(kMaxMounts) +
                                " mounts");
      break;
    }
    const std::uint64_t mount = *current;
    if (!isPlausibleKernelPointer(mount) || !seen.insert(mount).second) {
      listing.status.incomplete("mount list: " + from + " is " + hex(mount) +
                                (seen.count(mount) ? " (a cycle)" : " (not a kernel pointer)") +
                                "; stopped after " + std::to_string(listing.mounts.size()) +
                                " mounts");
      break;
    }
    MountRecord record;
    record.address = mount;
    const auto on = memory.readCString(mount + layout_.onName, layout_.pathLength - 1);
    const auto source = memory.readCString(mount + layout_.fromName, layout_.pathLength - 1);
    const auto type = memory.readCString(mount + layout_.typeName, layout_.typeLength - 1);
    const auto flags = memory.readU32(mount + layout_.flag);
    const auto next = memory.readPointer(mount + layout_.listNext);
    if (!on || !source || !type || !flags || !next) {
      listing.status.incomplete("mount " + hex(mount) + " (" + from +
                                ") is unreadable; stopped after " +
                                std::to_string(listing.mounts.size()) + " mounts");
      break;
    }
    record.on = *on;
    record.from = *source;
    record.fstype = *type;
    record.flags = *flags;
    listing.mounts.push_back(std::move(record));
    from = "mnt_list.tqe_next of mount " + hex(mount);
    current = next;
  }
  return listing;
}

std::vector<std::string> mountFlagNames(std::uint32_t flags) {
  static const std::pair<std::uint32_t, const char*> names[] = {{0x1, "rdonly"},
                                                                {0x2, "synchronous"},
                                                                {0x4, "noexec"},
                                                                {0x8, "nosuid"},
                                                                {0x10, "nodev"},
                                                                {0x20, "union"},
                                                                {0x40, "async"},
                                                                {0x80, "cprotect"},
                                                                {0x100, "exported"},
                                                                {0x400, "quarantine"},
                                                                {0x1000, "local"},
                                                                {0x2000, "quota"},
                                                                {0x4000, "rootfs"},
                                                                {0x8000, "dovolfs"},
                                                                {0x100000, "dontbrowse"},
                                                                {0x200000, "ignore_ownership"},
                                                                {0x400000, "automounted"},
                                                                {0x800000, "journaled"},
                                                                {0x1000000, "nouserxattr"},
                                                                {0x2000000, "defwrite"},
                                                                {0x4000000, "multilabel"},
                                                                {0x10000000, "noatime"},
                                                                {0x40000000, "snapshot"}};
  std::vector<std::string> out;
  std::uint32_t known = 0;
  for (const auto& [bit, name] : names) {
    known |= bit;
    if (flags & bit) out.push_back(name);
  }
  if (flags & ~known) out.push_back(hex(flags & ~known));
  return out;
}

}  // namespace xnuscope
