// A process' open files: proc.p_fd → filedesc.fd_ofiles[0..fd_lastfile] →
// fileproc.f_fglob → fileglob; the type comes from fileglob.fg_ops → fileops.fo_type
// (or fileglob.fg_type where the layout has it), the object from fg_data: a vnode
// (path via VnodePath), a socket (domain/type/protocol via so_proto), a pipe or a
// kqueue. Bounded by fd_nfiles (at most kMaxDescriptors); a bad pointer ends that
// descriptor or table with a warning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/ProcessRecord.h"
#include "xnu/VnodePath.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct FileDescriptorLayout {
  std::uint64_t procFd = 0;
  std::uint64_t fdOfiles = 0;
  std::uint64_t fdNfiles = 0;
  std::uint64_t fdLastfile = 0;
  std::uint64_t fileprocGlob = 0;
  std::uint64_t globFlag = 0;
  std::uint64_t globData = 0;
  std::optional<std::uint64_t> globType;  // fg_type (not in 10.x)
  std::uint64_t globOps = 0;
  std::uint64_t opsType = 0;
  std::uint64_t socketType = 0;
  std::uint64_t socketProto = 0;
  std::uint64_t protoProtocol = 0;
  std::uint64_t protoDomain = 0;
  std::uint64_t domainFamily = 0;
  std::uint64_t pipePeer = 0;
  VnodeLayout vnode;
  static FileDescriptorLayout fromProfile(const Profile& profile);
};

struct OpenFile {
  std::int32_t pid = 0;
  std::string processName;
  std::int32_t fd = 0;
  std::string type;        // "vnode", "socket", "pipe", "kqueue", "psxshm", ... or "type N"
  std::string path;        // vnodes only
  std::uint64_t data = 0;  // fg_data: the vnode/socket/pipe/kqueue
  std::uint64_t fileglob = 0;
  std::string access;                               // "r", "w", "rw"
  std::string vnodeType;                            // "REG", "CHR", ...
  std::optional<int> family, socketType, protocol;  // sockets
  std::optional<std::uint64_t> peer;                // pipes
};

struct OpenFileListing {
  std::vector<OpenFile> files;
  WalkStatus status;
};

class FileDescriptorWalker {
 public:
  static constexpr std::uint32_t kMaxDescriptors = 1u << 20;

  FileDescriptorWalker(const XnuKernel& kernel, const FileDescriptorLayout& layout)
      : kernel_(kernel), layout_(layout), paths_(kernel, layout.vnode) {}

  // Appends the process' descriptors to `listing` (zombies have none).
  void walk(const ProcessRecord& process, OpenFileListing& listing) const;

 private:
  const XnuKernel& kernel_;
  const FileDescriptorLayout& layout_;
  VnodePath paths_;
};

// bsd/sys/file_internal.h DTYPE_* as lsof names them.
std::string descriptorTypeName(std::uint32_t type);

}  // namespace xnuscope
