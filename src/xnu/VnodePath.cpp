#include "xnu/VnodePath.h"

#include <unordered_set>
#include <vector>

#include "core/Hex.h"
#include "xnu/ProfileFields.h"

namespace xnuscope {

namespace {
constexpr std::uint32_t kVroot = 0x1;  // bsd/sys/vnode_internal.h
}

VnodeLayout VnodeLayout::fromProfile(const Profile& profile, const std::string& purpose) {
  const ProfileFields fields(profile, purpose);
  VnodeLayout layout;
  layout.name = fields.offset("vnode", "v_name");
  layout.parent = fields.offset("vnode", "v_parent");
  layout.mount = fields.offset("vnode", "v_mount");
  layout.flag = fields.offset("vnode", "v_flag");
  layout.type = fields.offset("vnode", "v_type");
  layout.mountCovered = fields.offset("mount", "mnt_vnodecovered");
  return layout;
}

std::optional<std::uint16_t> VnodePath::type(std::uint64_t vnode) const {
  return kernel_.memory().readU16(vnode + layout_.type);
}

VnodePathResult VnodePath::pathOf(std::uint64_t vnode) const {
  const VirtualMemory& memory = kernel_.memory();
  VnodePathResult result;
  std::vector<std::string> names;
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t current = vnode;
  for (int depth = 0;; ++depth) {
    if (depth >= kMaxDepth) {
      result.complete = false;
      result.problem = "deeper than " + std::to_string(kMaxDepth) + " vnodes";
      break;
    }
    if (!isPlausibleKernelPointer(current) || !seen.insert(current).second) {
      result.complete = false;
      result.problem = "vnode chain reaches " + hex(current) +
                       (seen.count(current) ? " again (a cycle)" : " (not a kernel pointer)");
      break;
    }
    const auto flag = memory.readU32(current + layout_.flag);
    const auto namePtr = memory.readPointer(current + layout_.name);
    const auto parent = memory.readPointer(current + layout_.parent);
    if (!flag || !namePtr || !parent) {
      result.complete = false;
      result.problem = "vnode " + hex(current) + " is unreadable";
      break;
    }
    if (*flag & kVroot) {
      // The root of a file system: continue at the directory it is mounted on.
      const auto mount = memory.readPointer(current + layout_.mount);
      const auto covered = mount && *mount ? memory.readPointer(*mount + layout_.mountCovered)
                                           : std::optional<std::uint64_t>(0);
      if (!covered) {
        result.complete = false;
        result.problem = "mount of root vnode " + hex(current) + " is unreadable";
        break;
      }
      if (*covered == 0) break;  // the root file system: "/"
      current = *covered;
      continue;
    }
    if (*namePtr == 0) {
      if (*parent == 0) break;
      result.complete = false;
      result.problem = "vnode " + hex(current) + " has no name";
      break;
    }
    const auto name = memory.readCString(*namePtr, kMaxNameLength);
    if (!name) {
      result.complete = false;
      result.problem = "name of vnode " + hex(current) + " at " + hex(*namePtr) + " is unreadable";
      break;
    }
    names.push_back(*name);
    if (*parent == 0) {
      // A vnode without parent that is not a root: detached (e.g. unlinked); the
      // path is relative to nothing we know.
      result.complete = false;
      result.problem = "vnode " + hex(current) + " (" + *name + ") has no parent";
      break;
    }
    current = *parent;
  }
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) path += "/" + *it;
  result.path = path.empty() ? "/" : path;
  return result;
}

std::string vnodeTypeName(std::uint16_t type) {
  static const char* const names[] = {"NON",  "REG",  "DIR", "BLK", "CHR", "LNK",
                                      "SOCK", "FIFO", "BAD", "STR", "CPLX"};
  return type < sizeof names / sizeof names[0] ? names[type] : "type " + std::to_string(type);
}

}  // namespace xnuscope
