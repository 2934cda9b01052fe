#include "xnu/XnuLayout.h"

#include <string>
#include <vector>

#include "core/Error.h"
#include "profile/Profile.h"

namespace xnuscope {
namespace {

// Offset of the first of `paths` the struct has; AnalysisError listing them all.
std::uint64_t firstOffset(const Profile& profile, const std::string& structName,
                          const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    if (profile.hasField(structName, path)) return profile.offset(structName, path);
  }
  return profile.offset(structName, profile.firstFieldOf(structName, paths));
}

std::optional<std::uint64_t> optionalOffset(const Profile& profile, const std::string& structName,
                                            const std::vector<std::string>& paths) {
  if (!profile.hasStruct(structName)) return std::nullopt;
  for (const auto& path : paths) {
    if (profile.hasField(structName, path)) return profile.offset(structName, path);
  }
  return std::nullopt;
}

// Offset of `member` inside an embedded struct at `outer`, when the embedded type
// is described; otherwise `fallback` (e.g. le_next is at 0 of every LIST_ENTRY,
// but compact profiles may not keep the anonymous LIST_ENTRY type).
std::uint64_t embeddedOffset(const Profile& profile, const std::string& structName,
                             const std::string& outer, const std::string& member,
                             std::uint64_t fallback) {
  const std::string path = outer + "." + member;
  if (profile.hasField(structName, path)) return profile.offset(structName, path);
  return profile.offset(structName, outer) + fallback;
}

XnuBitRange bitRange(const Profile& profile, const std::string& structName,
                     const std::string& fieldName) {
  const Field& field = profile.field(structName, fieldName);
  if (!field.bits) {
    throw AnalysisError("profile " + profile.describe() + ": " + structName + "." + fieldName +
                        " is not a bitfield; the vm_map_entry walker needs its bit position");
  }
  return XnuBitRange{field.offset, field.bits->start, field.bits->count};
}

bool isThirtyTwoBitType(const std::string& type) {
  return type == "unsigned int" || type == "uint32_t" || type == "int" || type == "unsigned";
}

std::uint64_t roundUp(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

std::uint64_t arrayLength(const Profile& profile, const std::string& structName,
                          const std::string& fieldName, std::uint64_t fallback) {
  const Field& field = profile.field(structName, fieldName);
  // 10.11–10.13 Volatility 2 profiles lost array counts (0); the source sizes hold.
  return field.elementCount > 1 ? field.elementCount : fallback;
}

// A struct size no XNU release comes near means a broken or hostile profile; the
// walk would only read garbage and report nothing, so it is refused up front.
std::uint64_t plausibleStructSize(const Profile& profile, const std::string& structName,
                                  std::uint64_t minimum, std::uint64_t maximum) {
  const std::uint64_t size = profile.structure(structName).size;
  if (size < minimum || size > maximum) {
    throw AnalysisError("profile " + profile.describe() + " gives sizeof(struct " + structName +
                        ") = " + std::to_string(size) + " bytes, not a plausible size (" +
                        std::to_string(minimum) + ".." + std::to_string(maximum) +
                        "); the profile is broken, use another one");
  }
  return size;
}

}  // namespace

void XnuLayout::require(const std::string& reason) {
  if (!reason.empty()) throw AnalysisError(reason);
}

namespace {

// Runs one part of the layout; an AnalysisError in it marks only that part unusable.
template <typename Part>
void resolvePart(std::string& unavailable, Part&& part) {
  try {
    part();
  } catch (const AnalysisError& error) {
    unavailable = error.what();
  }
}

}  // namespace

XnuLayout XnuLayout::fromProfile(const Profile& profile) {
  XnuLayout layout;
  layout.profileName = profile.describe();

  resolvePart(layout.processesUnavailable, [&] {
    // proc (real sizes: 0x2b0..0x4f0 bytes; bound generously)
    layout.procSize = plausibleStructSize(profile, "proc", 64, 64 * 1024);
    layout.procListNext = embeddedOffset(profile, "proc", "p_list", "le_next", 0);
    layout.procPid = profile.offset("proc", "p_pid");
    if (profile.hasField("proc", "task")) layout.procTask = profile.offset("proc", "task");
    layout.procParent = profile.offset("proc", "p_pptr");
    layout.procPpid = profile.offset("proc", "p_ppid");
    if (profile.hasField("proc", "p_ucred")) {
      layout.procUcred = profile.offset("proc", "p_ucred");
    } else if (profile.hasField("proc", "p_proc_ro")) {
      layout.procProcRo = profile.offset("proc", "p_proc_ro");
      layout.procRoUcred =
          firstOffset(profile, "proc_ro", {"p_ucred", "proc_data.p_ucred", "pr_ucred"});
    } else {
      throw AnalysisError("profile " + profile.describe() +
                          " has neither proc.p_ucred nor proc.p_proc_ro; cannot find process "
                          "credentials (uid)");
    }
    layout.procComm = profile.offset("proc", "p_comm");
    layout.commLength = arrayLength(profile, "proc", "p_comm", 17);
    if (profile.hasField("proc", "p_name")) {
      layout.procName = profile.offset("proc", "p_name");
      layout.nameLength = arrayLength(profile, "proc", "p_name", 33);
    }
    if (profile.hasField("proc", "p_start")) {
      layout.procStartSec = embeddedOffset(profile, "proc", "p_start", "tv_sec", 0);
      layout.procStartUsec = embeddedOffset(profile, "proc", "p_start", "tv_usec", 8);
    }

    // ucred
    layout.ucredUid = firstOffset(profile, "ucred", {"cr_posix.cr_uid", "cr_uid"});
    layout.ucredGid = optionalOffset(profile, "ucred", {"cr_posix.cr_rgid", "cr_rgid"});

    // task
    layout.taskMap = profile.offset("task", "map");
    layout.taskQueueNext = embeddedOffset(profile, "task", "tasks", "next", 0);
    if (profile.hasField("task", "bsd_info"))
      layout.taskBsdInfo = profile.offset("task", "bsd_info");
    if (!layout.procTask) {
      // xnu-8792+: proc_struct_size = roundup(sizeof(struct proc), task alignment).
      layout.procToTaskDistance = roundUp(layout.procSize, 16);
      layout.procToTaskDistanceAlt = roundUp(layout.procSize, 8);
    } else if (!layout.taskBsdInfo) {
      throw AnalysisError("profile " + profile.describe() +
                          " has proc.task but no task.bsd_info; cannot map tasks back to procs");
    }

    layout.symAllproc = profile.symbol("_allproc");
    layout.symZombproc = profile.symbol("_zombproc");
    layout.symTasks = profile.symbol("_tasks");
    layout.symKernproc = profile.symbol("_kernproc");
    if (!layout.symAllproc && !layout.symTasks) {
      throw AnalysisError("profile " + profile.describe() +
                          " has neither _allproc nor _tasks; no process list can be walked");
    }
  });

  resolvePart(layout.vmMapsUnavailable, [&] {
    // vm_map
    layout.mapHeaderLinks =
        profile.offset("_vm_map", "hdr") +
        (profile.hasField("vm_map_header", "links") ? profile.offset("vm_map_header", "links") : 0);
    layout.mapNentries =
        profile.offset("_vm_map", "hdr") + profile.offset("vm_map_header", "nentries");
    layout.mapPmap = profile.offset("_vm_map", "pmap");
    layout.pmapCr3 = profile.offset("pmap", "pm_cr3");
    layout.linksPrev = profile.offset("vm_map_links", "prev");
    layout.linksNext = profile.offset("vm_map_links", "next");
    layout.linksStart = profile.offset("vm_map_links", "start");
    layout.linksEnd = profile.offset("vm_map_links", "end");

    // vm_map_entry
    layout.entrySize = plausibleStructSize(profile, "vm_map_entry", 32, 4096);
    layout.entryLinks = profile.offset("vm_map_entry", "links");
    layout.entryOffset =
        firstOffset(profile, "vm_map_entry", {"vme_offset", "offset", "vme_alias"});
    layout.entryIsSubMap =
        bitRange(profile, "vm_map_entry",
                 profile.firstFieldOf("vm_map_entry",
                                      {"is_sub_map", "vme_is_submap", "vme_ctx_is_sub_map"}));
    layout.entryProtection = bitRange(profile, "vm_map_entry", "protection");
    layout.entryMaxProtection = bitRange(profile, "vm_map_entry", "max_protection");
    layout.entryInheritance = bitRange(profile, "vm_map_entry", "inheritance");
    if (profile.hasField("vm_map_entry", "alias") && profile.field("vm_map_entry", "alias").bits) {
      layout.entryAlias = bitRange(profile, "vm_map_entry", "alias");
      layout.tagLocation = VmTagLocation::AliasBits;
    } else {
      layout.tagLocation = VmTagLocation::OffsetLowBits;
    }
    // Packed object pointer (xnu-8792+): a 32-bit member instead of the pointer union.
    for (const char* name : {"vme_object_or_delta", "vme_object"}) {
      if (!profile.hasField("vm_map_entry", name)) continue;
      const Field& field = profile.field("vm_map_entry", name);
      if (isThirtyTwoBitType(field.type) || std::string(name) == "vme_object_or_delta") {
        layout.packedObject = true;
        layout.entryPackedObject = field.offset;
        const auto union64 =
            optionalOffset(profile, "vm_map_entry", {"vme_object_value", "vme_submap"});
        layout.entryObject = union64.value_or(field.offset & ~7ull);
      } else {
        layout.entryObject = field.offset;
      }
      break;
    }
    if (!layout.packedObject && !profile.hasField("vm_map_entry", "vme_object")) {
      layout.entryObject = firstOffset(profile, "vm_map_entry", {"object", "vme_object_value"});
    }
  });

  // kmod_info (packed 4; its layout never changed) and msgbuf
  resolvePart(layout.kextsUnavailable, [&] {
    if (profile.hasStruct("kmod_info")) {
      layout.kmodNext = profile.offset("kmod_info", "next");
      layout.kmodId = profile.offset("kmod_info", "id");
      layout.kmodName = profile.offset("kmod_info", "name");
      layout.kmodNameLength = arrayLength(profile, "kmod_info", "name", 64);
      layout.kmodVersion = profile.offset("kmod_info", "version");
      layout.kmodVersionLength = arrayLength(profile, "kmod_info", "version", 64);
      layout.kmodAddress = profile.offset("kmod_info", "address");
      layout.kmodSize = profile.offset("kmod_info", "size");
    }
  });
  resolvePart(layout.msgbufUnavailable, [&] {
    if (profile.hasStruct("msgbuf")) {
      layout.msgMagic = profile.offset("msgbuf", "msg_magic");
      layout.msgSize = profile.offset("msgbuf", "msg_size");
      layout.msgBufx = profile.offset("msgbuf", "msg_bufx");
      layout.msgBufr = profile.offset("msgbuf", "msg_bufr");
      layout.msgBufc = profile.offset("msgbuf", "msg_bufc");
    }
  });

  layout.symKmod = profile.symbol("_kmod");
  layout.symLoadedKextSummaries = profile.symbol("_gLoadedKextSummaries");
  layout.symMsgbufp = profile.symbol("_msgbufp");
  // pid hash (an extra process source where the profile has it): optional.
  resolvePart(layout.pidHashUnavailable, [&] {
    if (profile.hasStruct("smr_hash") && profile.hasField("smr_hash", "smrh_array") &&
        profile.hasField("proc", "p_hash") && profile.symbol("_pid_hash")) {
      layout.procHashLink = embeddedOffset(profile, "proc", "p_hash", "next", 0);
      layout.smrHashArray = profile.offset("smr_hash", "smrh_array");
      layout.symPidHash = profile.symbol("_pid_hash");
    }
  });
  return layout;
}

}  // namespace xnuscope
