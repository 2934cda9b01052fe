// Where guest RAM lives inside QEMU's memory-backend-file: which memory backend is
// the file the user gave, and which guest-physical ranges it backs at which file
// offsets. Learned from QEMU itself (QMP), never assumed: q35 puts RAM above 4 GiB
// at file offset `below_4g`, and firmware/option ROMs shadow parts of low RAM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "physmem/FileSegmentMap.h"
#include "qemu/MemoryTreeParser.h"

namespace xnuscope {

class QmpClient;

// One memory backend as QMP reports it (query-memdev + qom-get).
struct MemoryBackend {
  std::string id;
  std::string memPath;  // empty for RAM-only backends (memory-backend-ram)
  std::uint64_t size = 0;
  bool share = false;
  std::uint64_t fileOffset = 0;  // the backend's own "offset" property (QEMU >= 8.2), else 0
};

// The backend whose mem-path is the same file as `memPath` (compared by inode).
// Throws InputError naming what QEMU does have when no backend maps that file, or
// when it is mapped share=off (the guest's writes would never reach the file).
MemoryBackend findMemoryBackend(QmpClient& qmp, const std::string& memPath);

// File segments (pa, file offset, size) of every range of `ranges` that region
// `backendId` backs. Throws AnalysisError when the backend backs no range (e.g. it
// is not the machine's RAM but a NUMA node or a pc-dimm that is not plugged).
std::vector<FileSegment> backendFileSegments(const std::vector<MemoryTreeRange>& ranges,
                                             const MemoryBackend& backend);

}  // namespace xnuscope
