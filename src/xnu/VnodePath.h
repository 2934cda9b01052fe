// The path of a vnode, rebuilt the way vn_getpath does: v_name of each vnode up
// the v_parent chain; at a file system's root (v_flag VROOT) the walk continues
// at the vnode it covers (v_mount → mnt_vnodecovered). Bounded (depth, cycles).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "profile/Profile.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct VnodeLayout {
  std::uint64_t name = 0;          // v_name (char *)
  std::uint64_t parent = 0;        // v_parent
  std::uint64_t mount = 0;         // v_mount
  std::uint64_t flag = 0;          // v_flag
  std::uint64_t type = 0;          // v_type (enum vtype, 16 bits)
  std::uint64_t mountCovered = 0;  // mount.mnt_vnodecovered
  static VnodeLayout fromProfile(const Profile& profile, const std::string& purpose);
};

struct VnodePathResult {
  std::string path;
  bool complete = true;
  std::string problem;  // why `path` is partial
};

class VnodePath {
 public:
  static constexpr int kMaxDepth = 256;
  static constexpr std::size_t kMaxNameLength = 255;  // NAME_MAX

  VnodePath(const XnuKernel& kernel, const VnodeLayout& layout)
      : kernel_(kernel), layout_(layout) {}

  VnodePathResult pathOf(std::uint64_t vnode) const;
  std::optional<std::uint16_t> type(std::uint64_t vnode) const;

 private:
  const XnuKernel& kernel_;
  const VnodeLayout& layout_;
};

// bsd/sys/vnode.h enum vtype as lsof prints it ("REG", "DIR", "CHR", ...).
std::string vnodeTypeName(std::uint16_t type);

}  // namespace xnuscope
