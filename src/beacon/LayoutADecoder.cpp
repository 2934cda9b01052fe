#include "beacon/LayoutADecoder.h"

#include <algorithm>
#include <map>
#include <set>

#include "beacon/BeaconPteCheck.h"
#include "core/Hex.h"

namespace xnuscope {
namespace {

namespace a = beacon::layout_a;
using beacon::loadU16;
using beacon::loadU32;
using beacon::loadU64;

// Of two valid copies of the same [category][index] slot, the one written later:
// newer timestamp, then higher version (the writer bumps it on every rewrite),
// then the later one in physical order ("last one wins", as the reference reader).
bool supersedes(const ClassifiedBeaconPage& candidate, const ClassifiedBeaconPage& current) {
  if (candidate.timestamp != current.timestamp) return candidate.timestamp > current.timestamp;
  if (candidate.versionTop != current.versionTop) return candidate.versionTop > current.versionTop;
  return true;
}

std::string cameraName(std::uint32_t category) {
  return category == a::kCategoryCamera1 ? "camera 1" : "camera 2";
}

}  // namespace

std::uint64_t LayoutADecoder::decode(const std::vector<ClassifiedBeaconPage>& pages,
                                     BeaconSnapshot& out) const {
  // Master and camera pages: one page per [category][index] slot. PID pages keep
  // every copy: a stale copy of an older generation (a page the guest moved or
  // swapped) may still complete that generation.
  std::map<std::pair<std::uint32_t, std::uint32_t>, const ClassifiedBeaconPage*> slots;
  std::vector<const ClassifiedBeaconPage*> pidPages;
  std::uint64_t duplicates = 0;
  for (const auto& page : pages) {
    if (page.kind != BeaconPageKind::LayoutA) continue;
    if (page.category == a::kCategoryPid) {
      pidPages.push_back(&page);
      continue;
    }
    auto [it, inserted] = slots.try_emplace({page.category, page.index}, &page);
    if (!inserted) {
      ++duplicates;
      if (supersedes(page, *it->second)) it->second = &page;
    }
  }

  std::vector<const ClassifiedBeaconPage*> byCategory[a::kCategoryCount];
  for (const auto& [key, page] : slots) byCategory[key.first].push_back(page);  // index order

  duplicates += decodeProcesses(pidPages, out);
  decodeCamera(a::kCategoryCamera1, byCategory[a::kCategoryCamera1], out);
  decodeCamera(a::kCategoryCamera2, byCategory[a::kCategoryCamera2], out);

  std::sort(out.regions.begin(), out.regions.end(), [](const auto& l, const auto& r) {
    return std::tie(l.pid, l.start, l.end) < std::tie(r.pid, r.start, r.end);
  });
  std::sort(out.ptes.begin(), out.ptes.end(), [](const auto& l, const auto& r) {
    return std::tie(l.pid, l.va) < std::tie(r.pid, r.va);
  });
  return duplicates;
}

std::uint64_t LayoutADecoder::decodeProcesses(
    const std::vector<const ClassifiedBeaconPage*>& pidPages, BeaconSnapshot& out) const {
  // A generation is one pass of the writer over the process list; pages it did not
  // need keep an older generation. Group by generation (one page per index within
  // it), then take the newest generation whose pages hold all of its processes.
  std::map<std::uint32_t, std::map<std::uint32_t, const ClassifiedBeaconPage*>> pagesByGeneration;
  std::uint64_t duplicates = 0;
  for (const ClassifiedBeaconPage* page : pidPages) {
    const std::uint32_t number = loadU32(page->page->bytes, a::kPidGeneration);
    auto [it, inserted] = pagesByGeneration[number].try_emplace(page->index, page);
    if (!inserted) {
      ++duplicates;
      if (supersedes(*page, *it->second)) it->second = page;
    }
  }

  struct Generation {
    std::uint32_t total = 0;
    bool totalsDisagree = false;
    std::vector<BeaconProcess> processes;
    std::uint64_t badEntries = 0;
  };
  std::map<std::uint32_t, Generation> generations;
  for (const auto& [number, byIndex] : pagesByGeneration) {
    Generation& generation = generations[number];
    bool first = true;
    for (const auto& [index, page] : byIndex) {
      const beacon::Bytes p = page->page->bytes;
      const std::uint32_t total = loadU32(p, a::kPidTotal);
      if (first) {
        generation.total = total;
        first = false;
      } else if (generation.total != total) {
        generation.totalsDisagree = true;
        generation.total = std::max(generation.total, total);
      }
      const std::uint32_t inPage = std::min(loadU32(p, a::kPidInPage), a::kMaxPidsPerPage);
      for (std::uint32_t i = 0; i < inPage; ++i) {
        const beacon::Bytes e = beacon::entryAt(p, a::kPidEntries + a::kPidEntrySize * i);
        if (loadU32(e, 0) != 0) {  // entry type: only PID entries (0) are defined
          ++generation.badEntries;
          continue;
        }
        BeaconProcess process;
        process.pid = loadU32(e, 4);
        process.ppid = loadU32(e, 8);
        process.uid = loadU32(e, 12);
        process.gid = loadU32(e, 16);
        process.rssKb = loadU64(e, 20);
        process.name = beacon::fixedString(e, 28, a::kCommSize);
        process.state = beacon::stateLetter(beacon::loadU8(e, 44));
        generation.processes.push_back(std::move(process));
      }
    }
  }
  if (generations.empty()) {
    out.complete = false;
    out.warnings.push_back("no valid PID page in this session: no process list");
    return duplicates;
  }

  // An empty generation (total 0) is what writers put in pages before their first
  // pass: it is "complete" but says nothing, so it never beats a real one.
  auto chosen = generations.end();
  for (auto it = generations.rbegin(); it != generations.rend(); ++it) {
    const bool empty = it->second.total == 0 && generations.size() > 1;
    if (!empty && it->second.processes.size() == it->second.total && !it->second.totalsDisagree) {
      chosen = std::prev(it.base());
      break;
    }
  }
  if (chosen == generations.end()) {
    chosen = std::prev(generations.end());
    out.complete = false;
    out.warnings.push_back("no complete PID generation: using generation " +
                           std::to_string(chosen->first) + " with " +
                           std::to_string(chosen->second.processes.size()) + " of " +
                           std::to_string(chosen->second.total) + " processes");
  } else if (chosen != std::prev(generations.end())) {
    const auto& newest = *std::prev(generations.end());
    out.warnings.push_back("PID generation " + std::to_string(newest.first) + " is incomplete (" +
                           std::to_string(newest.second.processes.size()) + " of " +
                           std::to_string(newest.second.total) +
                           " processes, pages torn or missing): using generation " +
                           std::to_string(chosen->first));
  }

  Generation& generation = chosen->second;
  out.generation = chosen->first;
  out.declaredProcessCount = generation.total;
  if (generation.totalsDisagree) {
    out.warnings.push_back("PID pages of generation " + std::to_string(chosen->first) +
                           " disagree on the total process count");
  }
  if (generation.badEntries != 0) {
    out.warnings.push_back(std::to_string(generation.badEntries) +
                           " PID entries of an unknown type were skipped");
  }
  std::stable_sort(generation.processes.begin(), generation.processes.end(),
                   [](const auto& l, const auto& r) { return l.pid < r.pid; });
  std::set<std::uint32_t> seen;
  std::uint64_t repeated = 0;
  for (auto& process : generation.processes) {
    if (seen.insert(process.pid).second) {
      out.processes.push_back(std::move(process));
    } else {
      ++repeated;
    }
  }
  if (repeated != 0) {
    out.warnings.push_back(std::to_string(repeated) +
                           " PID entries repeat a pid already listed: kept the first");
  }
  return duplicates;
}

void LayoutADecoder::decodeCamera(std::uint32_t category,
                                  const std::vector<const ClassifiedBeaconPage*>& cameraPages,
                                  BeaconSnapshot& out) const {
  std::map<std::uint32_t, const ClassifiedBeaconPage*> dataPages;
  for (const ClassifiedBeaconPage* page : cameraPages) {
    if (page->index != 0) dataPages.emplace(page->index, page);  // 0 is the control page
  }
  if (dataPages.empty()) return;

  // The writer rewrites the stream from data page 1 on every refresh and chains
  // pages with continuation = 1; pages after the chain's end are left over from
  // an earlier, longer stream and must not be mixed in.
  auto first = dataPages.find(1);
  if (first == dataPages.end()) {
    out.complete = false;
    out.warnings.push_back(cameraName(category) +
                           ": data page 1 is missing or torn, its regions are lost");
    return;
  }
  const std::uint32_t targetPid = loadU32(first->second->page->bytes, a::kCameraTargetPid);
  for (std::uint32_t index = 1; index <= a::kMaxIndex; ++index) {
    auto it = dataPages.find(index);
    if (it == dataPages.end()) {
      out.complete = false;
      out.warnings.push_back(cameraName(category) + ": data page " + std::to_string(index) +
                             " is missing or torn, regions of pid " + std::to_string(targetPid) +
                             " after it are lost");
      return;
    }
    const beacon::Bytes p = it->second->page->bytes;
    if (loadU32(p, a::kCameraTargetPid) != targetPid) {
      out.complete = false;
      out.warnings.push_back(cameraName(category) + ": data page " + std::to_string(index) +
                             " belongs to pid " + std::to_string(loadU32(p, a::kCameraTargetPid)) +
                             ", not " + std::to_string(targetPid) +
                             " (caught while switching targets)");
      return;
    }
    if (!decodeCameraStream(*it->second, targetPid, out)) {
      out.complete = false;
      return;
    }
    if (loadU16(p, a::kCameraContinuation) != 1) return;
  }
}

bool LayoutADecoder::decodeCameraStream(const ClassifiedBeaconPage& page, std::uint32_t targetPid,
                                        BeaconSnapshot& out) const {
  const beacon::Bytes stream = beacon::entryAt(page.page->bytes, a::kCameraStream);
  const std::uint16_t entryCount = loadU16(page.page->bytes, a::kCameraEntryCount);
  std::size_t offset = 0;
  for (std::uint16_t n = 0; n < entryCount; ++n) {
    if (offset >= a::kCameraStreamSize) break;
    const std::uint8_t type = beacon::loadU8(stream, offset);
    const std::size_t size = type == a::kEntrySection ? a::kSectionSize
                             : type == a::kEntryPte   ? a::kPteSize
                                                      : 0;
    if (type == a::kEntryEnd) return true;
    if (size == 0 || offset + size > a::kCameraStreamSize) {
      out.warnings.push_back("camera page " + std::to_string(page.index) + " at " +
                             hex(page.page->pa) + ": unknown or truncated entry (type " +
                             hex(type) + ") at stream offset " + std::to_string(offset) +
                             ", rest of the stream skipped");
      return false;
    }
    const beacon::Bytes e = beacon::entryAt(stream, offset);
    if (type == a::kEntrySection) {
      BeaconRegion region;
      region.pid = loadU32(e, 4);
      region.start = loadU64(e, 8);
      region.end = loadU64(e, 16);
      region.perms = loadU32(e, 24);
      region.path = beacon::fixedString(e, 32, a::kPathSize);
      if (region.end <= region.start) {
        out.warnings.push_back("camera page " + std::to_string(page.index) +
                               ": section with end <= start skipped (" + hex(region.start) + ")");
      } else {
        out.regions.push_back(std::move(region));
      }
    } else {
      BeaconPte pte;
      pte.pid = targetPid;
      pte.flags = loadU32(e, 4);
      pte.va = loadU64(e, 8);
      pte.pa = loadU64(e, 16);
      checkBeaconPte(memory_, pte);
      out.ptes.push_back(std::move(pte));
    }
    offset += size;
  }
  return true;
}

}  // namespace xnuscope
