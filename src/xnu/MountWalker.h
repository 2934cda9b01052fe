// The mount list: _mountlist (TAILQ_HEAD) → mount.mnt_list.tqe_next, each with
// mnt_vfsstat.f_mntonname / f_mntfromname / f_fstypename and mnt_flag
// (bsd/sys/mount_internal.h). Bounded (kMaxMounts, seen-set).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct MountLayout {
  std::uint64_t symMountlist = 0;   // unslid
  std::uint64_t listNext = 0;       // mnt_list.tqe_next
  std::uint64_t flag = 0;           // mnt_flag
  std::uint64_t onName = 0;         // mnt_vfsstat + f_mntonname
  std::uint64_t fromName = 0;       // mnt_vfsstat + f_mntfromname
  std::uint64_t typeName = 0;       // mnt_vfsstat + f_fstypename
  std::uint64_t pathLength = 1024;  // MAXPATHLEN
  std::uint64_t typeLength = 16;    // MFSTYPENAMELEN
  static MountLayout fromProfile(const Profile& profile);
};

struct MountRecord {
  std::string on, from, fstype;
  std::uint32_t flags = 0;
  std::uint64_t address = 0;
};

struct MountListing {
  std::vector<MountRecord> mounts;
  WalkStatus status;
};

class MountWalker {
 public:
  static constexpr std::size_t kMaxMounts = 10000;
  MountWalker(const XnuKernel& kernel, const MountLayout& layout)
      : kernel_(kernel), layout_(layout) {}
  MountListing walk() const;

 private:
  const XnuKernel& kernel_;
  const MountLayout& layout_;
};

// MNT_* flag names (bsd/sys/mount.h), lowest bit first.
std::vector<std::string> mountFlagNames(std::uint32_t flags);

}  // namespace xnuscope
