// Every struct offset, size and bitfield the XNU walkers read, resolved once from a
// Profile so that a missing field fails up front (naming the struct and field)
// rather than half-way through a walk. The walkers never look at a Profile or a
// version string; the variants between releases are explicit members here:
//   - proc.task pointer (≤ macOS 12) vs. task allocated right after proc (13+),
//   - p_ucred in proc (≤ 12.0) vs. p_proc_ro → proc_ro.p_ucred (12.1+),
//   - VM tag in the flags word (10.9/10.10 `alias`) vs. low 12 bits of vme_offset,
//   - 3- or 4-bit protections, plain vs. packed 32-bit vme_object (13+).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xnuscope {

class Profile;

// A bitfield inside the little-endian word that starts at `wordOffset` of a struct.
struct XnuBitRange {
  std::uint64_t wordOffset = 0;
  std::uint32_t start = 0;
  std::uint32_t count = 0;
  // Extracts the field from a 64-bit little-endian load of the word.
  std::uint64_t extract(std::uint64_t word) const {
    const std::uint64_t mask = count >= 64 ? ~0ull : ((1ull << count) - 1);
    return (word >> start) & mask;
  }
};

// Where a vm_map_entry keeps its VM tag (user_tag / VME_ALIAS).
enum class VmTagLocation {
  AliasBits,      // 10.9/10.10: `alias` bits in the flags word
  OffsetLowBits,  // 10.11+: low 12 bits of vme_offset (VME_OFFSET is the rest)
};

struct XnuLayout {
  // Each walker needs only its part of the layout. A part the profile cannot give
  // (a member missing, dropped at import or implausible) is recorded here, and only
  // the walker that needs it is refused, with this reason (issue 14.1).
  std::string processesUnavailable;  // proc, ucred, task, _allproc/_tasks: pslist, pstree, maps
  std::string vmMapsUnavailable;     // vm_map, vm_map_entry, pmap: maps, dump
  std::string kextsUnavailable;      // kmod_info: kexts
  std::string msgbufUnavailable;     // msgbuf: dmesg
  std::string pidHashUnavailable;    // smr_hash pid hash: an optional extra process source
  // Throws AnalysisError with the reason when `reason` is not empty.
  static void require(const std::string& reason);

  // --- struct proc -----------------------------------------------------------
  std::uint64_t procSize = 0;
  std::uint64_t procListNext = 0;  // p_list.le_next
  std::uint64_t procPid = 0;
  std::optional<std::uint64_t> procTask;  // proc.task; none from macOS 13
  std::uint64_t procParent = 0;           // p_pptr
  std::uint64_t procPpid = 0;
  std::optional<std::uint64_t> procUcred;    // p_ucred (≤ 12.0)
  std::optional<std::uint64_t> procProcRo;   // p_proc_ro (12.1+)
  std::optional<std::uint64_t> procRoUcred;  // proc_ro's ucred pointer (12.1+)
  std::uint64_t procComm = 0;
  std::uint64_t commLength = 17;  // command_t: MAXCOMLEN + 1
  std::optional<std::uint64_t> procName;
  std::uint64_t nameLength = 33;               // proc_name_t: 2 * MAXCOMLEN + 1
  std::optional<std::uint64_t> procStartSec;   // p_start.tv_sec
  std::optional<std::uint64_t> procStartUsec;  // p_start.tv_usec

  // --- struct ucred ----------------------------------------------------------
  std::uint64_t ucredUid = 0;             // cr_posix.cr_uid
  std::optional<std::uint64_t> ucredGid;  // cr_posix.cr_rgid

  // --- struct task -----------------------------------------------------------
  std::uint64_t taskMap = 0;
  std::uint64_t taskQueueNext = 0;           // tasks.next (queue_chain_t)
  std::optional<std::uint64_t> taskBsdInfo;  // none from macOS 13
  // macOS 13+: task = proc + procToTaskDistance (roundup(sizeof(proc), alignment)).
  // Candidates are tried in order because the alignment is not in any profile.
  std::uint64_t procToTaskDistance = 0;
  std::uint64_t procToTaskDistanceAlt = 0;

  // --- pid lookup table (xnu-10002+, macOS 14) ---------------------------------
  // `static struct smr_hash pid_hash`: smrh_array holds the bucket array's address
  // with the order in its top 16 bits; each bucket is a NULL-terminated list of
  // proc.p_hash links (struct smrq_slink). Absent when the profile lacks any part.
  std::optional<std::uint64_t> procHashLink;  // proc.p_hash.next
  std::uint64_t smrHashArray = 0;             // smr_hash.smrh_array

  // --- struct _vm_map / vm_map_header / vm_map_links / pmap ------------------
  std::uint64_t mapHeaderLinks = 0;  // _vm_map.hdr + vm_map_header.links
  std::uint64_t mapNentries = 0;     // _vm_map.hdr + vm_map_header.nentries
  std::uint64_t mapPmap = 0;
  std::uint64_t pmapCr3 = 0;
  std::uint64_t linksPrev = 0;
  std::uint64_t linksNext = 8;
  std::uint64_t linksStart = 0x10;
  std::uint64_t linksEnd = 0x18;

  // --- struct vm_map_entry ---------------------------------------------------
  std::uint64_t entrySize = 0x50;
  std::uint64_t entryLinks = 0;
  std::uint64_t entryObject = 0x38;
  std::uint64_t entryOffset = 0x40;
  XnuBitRange entryIsSubMap;
  XnuBitRange entryProtection;
  XnuBitRange entryMaxProtection;
  XnuBitRange entryInheritance;
  std::optional<XnuBitRange> entryAlias;
  VmTagLocation tagLocation = VmTagLocation::OffsetLowBits;
  // macOS 13+: vme_object is a 32-bit packed pointer at `entryPackedObject`
  // ((packed << 6) + VM_MIN_KERNEL_AND_KEXT_ADDRESS); a submap pointer is the
  // union's 64-bit word with the two low flag bits cleared.
  bool packedObject = false;
  std::uint64_t entryPackedObject = 0x3c;

  // --- kmod_info, msgbuf -----------------------------------------------------
  std::uint64_t kmodNext = 0;
  std::uint64_t kmodId = 0xc;
  std::uint64_t kmodName = 0x10;
  std::uint64_t kmodNameLength = 64;
  std::uint64_t kmodVersion = 0x50;
  std::uint64_t kmodVersionLength = 64;
  std::uint64_t kmodAddress = 0x9c;
  std::uint64_t kmodSize = 0xa4;
  std::uint64_t msgMagic = 0;
  std::uint64_t msgSize = 4;
  std::uint64_t msgBufx = 8;
  std::uint64_t msgBufr = 12;
  std::uint64_t msgBufc = 16;

  // --- unslid kernel symbols (Mach-O names) -----------------------------------
  std::optional<std::uint64_t> symAllproc;
  std::optional<std::uint64_t> symZombproc;
  std::optional<std::uint64_t> symTasks;
  std::optional<std::uint64_t> symPidHash;  // only with procHashLink
  std::optional<std::uint64_t> symKernproc;
  std::optional<std::uint64_t> symKmod;
  std::optional<std::uint64_t> symLoadedKextSummaries;
  std::optional<std::uint64_t> symMsgbufp;

  // Where the layout came from, for messages ("HighSierra_10.13.6_17G65 (...)").
  std::string profileName;

  bool taskFollowsProc() const { return !procTask.has_value(); }

  // Resolves every offset the walkers need. Throws AnalysisError naming the profile,
  // struct and field that is missing.
  static XnuLayout fromProfile(const Profile& profile);
};

}  // namespace xnuscope
