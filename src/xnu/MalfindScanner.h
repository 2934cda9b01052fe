// Code injected into a process: vm_map entries that are executable and either
// writable or anonymous (their vm_object is `internal`, i.e. not backed by a file),
// as malfind tools report them. File-backed r-x text and the shared-region submap
// are not suspicious. For each hit: the first bytes through the process' own page
// tables (hexdump + Capstone disassembly) and whether they start a Mach-O header.
// The kernel (pid 0) is skipped: its map is the kernel's; see `hooks`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/Disassembly.h"
#include "xnu/ProcessRecord.h"
#include "xnu/VmMapEntryRecord.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"
#include "xnu/XnuLayout.h"

namespace xnuscope {

struct MalfindLayout {
  XnuBitRange objectInternal;  // vm_object.internal
  static MalfindLayout fromProfile(const Profile& profile);
};

struct MalfindHit {
  std::int32_t pid = 0;
  std::string processName;
  VmMapEntryRecord entry;
  bool anonymous = false;
  std::string reason;  // "writable and executable", "anonymous executable"
  bool resident = false;
  std::vector<std::uint8_t> firstBytes;  // up to kPreviewBytes
  std::optional<std::string> machO;  // macho::describeHeader of firstBytes: "MH_BUNDLE (x86_64)"
  std::vector<Instruction> disassembly;
};

struct MalfindListing {
  std::vector<MalfindHit> hits;
  std::size_t processesScanned = 0;
  std::size_t entriesScanned = 0;
  WalkStatus status;
};

class MalfindScanner {
 public:
  static constexpr std::size_t kPreviewBytes = 64;
  static constexpr std::size_t kPreviewInstructions = 8;

  MalfindScanner(const XnuKernel& kernel, const MalfindLayout& layout)
      : kernel_(kernel), layout_(layout) {}

  void scan(const ProcessRecord& process, MalfindListing& listing) const;

 private:
  const XnuKernel& kernel_;
  const MalfindLayout& layout_;
};

}  // namespace xnuscope
