#include "xnu/FileDescriptorWalker.h"

#include <algorithm>

#include "core/Hex.h"
#include "core/LittleEndian.h"
#include "xnu/ProfileFields.h"

namespace xnuscope {

namespace {
constexpr std::uint32_t kDtypeVnode = 1, kDtypeSocket = 2, kDtypePipe = 6;
constexpr std::uint32_t kFread = 0x1, kFwrite = 0x2;
}  // namespace

FileDescriptorLayout FileDescriptorLayout::fromProfile(const Profile& profile) {
  const ProfileFields f(profile, "lsof");
  FileDescriptorLayout layout;
  layout.procFd = f.offset("proc", "p_fd");
  layout.fdOfiles = f.offset("filedesc", "fd_ofiles");
  layout.fdNfiles = f.offset("filedesc", "fd_nfiles");
  layout.fdLastfile = f.offset("filedesc", "fd_lastfile");
  layout.fileprocGlob = f.firstOffset("fileproc", {"f_fglob", "fp_glob"});
  layout.globFlag = f.offset("fileglob", "fg_flag");
  layout.globData = f.offset("fileglob", "fg_data");
  layout.globType = f.optionalOffset("fileglob", "fg_type");
  if (!layout.globType) {
    layout.globOps = f.offset("fileglob", "fg_ops");
    layout.opsType = f.offset("fileops", "fo_type");
  }
  layout.socketType = f.offset("socket", "so_type");
  layout.socketProto = f.offset("socket", "so_proto");
  layout.protoProtocol = f.offset("protosw", "pr_protocol");
  layout.protoDomain = f.offset("protosw", "pr_domain");
  layout.domainFamily = f.offset("domain", "dom_family");
  layout.pipePeer = f.offset("pipe", "pipe_peer");
  layout.vnode = VnodeLayout::fromProfile(profile, "lsof");
  return layout;
}

std::string descriptorTypeName(std::uint32_t type) {
  static const char* const names[] = {"none",   "vnode",     "socket",  "psxshm",
                                      "psxsem", "kqueue",    "pipe",    "fsevents",
                                      "atalk",  "netpolicy", "channel", "nexus"};
  return type < sizeof names / sizeof names[0] ? names[type] : "type " + std::to_string(type);
}

void FileDescriptorWalker::walk(const ProcessRecord& process, OpenFileListing& listing) const {
  const VirtualMemory& memory = kernel_.memory();
  const std::string who = "pid " + std::to_string(process.pid) + " (" + process.name() + ")";
  if (process.zombie()) return;
  const auto filedesc = memory.readPointer(process.address + layout_.procFd);
  if (!filedesc) {
    listing.status.incomplete(who + ": proc.p_fd is unreadable");
    return;
  }
  if (*filedesc == 0) return;  // no descriptor table (exiting process)
  if (!isPlausibleKernelPointer(*filedesc)) {
    listing.status.incomplete(who + ": p_fd " + hex(*filedesc) + " is not a kernel pointer");
    return;
  }
  const auto ofiles = memory.readPointer(*filedesc + layout_.fdOfiles);
  const auto nfiles = memory.readU32(*filedesc + layout_.fdNfiles);
  const auto lastfile = memory.readU32(*filedesc + layout_.fdLastfile);
  if (!ofiles || !nfiles || !lastfile) {
    listing.status.incomplete(who + ": filedesc " + hex(*filedesc) + " is unreadable");
    return;
  }
  const std::int32_t last = static_cast<std::int32_t>(*lastfile);
  if (last < 0) return;  // no open descriptor
  if (*nfiles > kMaxDescriptors || static_cast<std::uint32_t>(last) >= *nfiles ||
      !isPlausibleKernelPointer(*ofiles)) {
    listing.status.incomplete(who + ": implausible descriptor table (fd_nfiles " +
                              std::to_string(*nfiles) + ", fd_lastfile " + std::to_string(last) +
                              ", fd_ofiles " + hex(*ofiles) + ")");
    return;
  }
  std::vector<std::uint8_t> slots(static_cast<std::size_t>(last + 1) * 8);
  const std::size_t got = memory.read(*ofiles, slots);
  if (got < slots.size()) {
    listing.status.incomplete(who + ": fd_ofiles " + hex(*ofiles) + " unreadable from fd " +
                              std::to_string(got / 8));
  }
  for (std::int32_t fd = 0; fd <= last && static_cast<std::size_t>(fd + 1) * 8 <= got; ++fd) {
    const auto fileproc =
        loadLittleEndianOr<std::uint64_t>(slots, static_cast<std::size_t>(fd) * 8);
    if (fileproc == 0) continue;  // closed descriptor
    const std::string where = who + " fd " + std::to_string(fd);
    const auto glob = isPlausibleKernelPointer(fileproc)
                          ? memory.readPointer(fileproc + layout_.fileprocGlob)
                          : std::nullopt;
    if (!glob || !isPlausibleKernelPointer(*glob)) {
      listing.status.incomplete(where + ": fileproc " + hex(fileproc) +
                                " or its fileglob is unreadable");
      continue;
    }
    std::optional<std::uint32_t> type;
    if (layout_.globType) {
      type = memory.readU32(*glob + *layout_.globType);
    } else if (const auto ops = memory.readPointer(*glob + layout_.globOps);
               ops && isPlausibleKernelPointer(*ops)) {
      type = memory.readU32(*ops + layout_.opsType);
    }
    const auto data = memory.readPointer(*glob + layout_.globData);
    const auto flag = memory.readU32(*glob + layout_.globFlag);
    if (!type || !data) {
      listing.status.incomplete(where + ": fileglob " + hex(*glob) +
                                " (type or data) is unreadable");
      continue;
    }
    OpenFile file;
    file.pid = process.pid;
    file.processName = process.name();
    file.fd = fd;
    file.fileglob = *glob;
    file.data = *data;
    file.type = descriptorTypeName(*type);
    const std::uint32_t mode = flag.value_or(0);
    file.access = std::string((mode & kFread) ? "r" : "") + ((mode & kFwrite) ? "w" : "");
    if (*type == kDtypeVnode) {
      const VnodePathResult path = paths_.pathOf(*data);
      file.path = path.path;
      if (!path.complete)
        listing.status.incomplete(where + ": path " + path.path + " is partial: " + path.problem);
      if (const auto vtype = paths_.type(*data)) file.vnodeType = vnodeTypeName(*vtype);
    } else if (*type == kDtypeSocket) {
      const auto soType = memory.readU16(*data + layout_.socketType);
      const auto proto = memory.readPointer(*data + layout_.socketProto);
      if (soType) file.socketType = static_cast<std::int16_t>(*soType);
      if (proto && isPlausibleKernelPointer(*proto)) {
        if (const auto protocol = memory.readU16(*proto + layout_.protoProtocol)) {
          file.protocol = static_cast<std::int16_t>(*protocol);
        }
        const auto domain = memory.readPointer(*proto + layout_.protoDomain);
        if (domain && isPlausibleKernelPointer(*domain)) {
          if (const auto family = memory.readU32(*domain + layout_.domainFamily)) {
            file.family = static_cast<int>(*family);
          }
        }
      }
      if (!file.family || !file.socketType || !file.protocol) {
        listing.status.incomplete(where + ": socket " + hex(*data) + " is partly unreadable");
      }
    } else if (*type == kDtypePipe) {
      file.peer = memory.readPointer(*data + layout_.pipePeer);
    }
    listing.files.push_back(std::move(file));
  }
}

}  // namespace xnuscope
