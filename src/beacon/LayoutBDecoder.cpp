#include "beacon/LayoutBDecoder.h"

#include <algorithm>
#include <map>
#include <set>

namespace xnuscope {
namespace {

namespace b = beacon::layout_b;
using beacon::loadU32;
using beacon::loadU64;

}  // namespace

std::uint64_t LayoutBDecoder::decode(const std::vector<ClassifiedBeaconPage>& pages,
                                     BeaconSnapshot& out) const {
  std::map<std::uint32_t, std::vector<const ClassifiedBeaconPage*>> byIndex;
  std::map<std::uint32_t, std::uint32_t> totalVotes;
  for (const auto& page : pages) {
    if (page.kind != BeaconPageKind::LayoutBProcessList) continue;
    byIndex[page.index].push_back(&page);
    ++totalVotes[loadU32(page.page->bytes, b::kTotal)];
  }
  if (byIndex.empty()) {
    out.complete = false;
    out.warnings.push_back("no Layout B process-list page in this session: no process list");
    return 0;
  }

  // Every refresh rewrites pages 1..ceil(total/40) with the same total; pages past
  // that are left over from a refresh that saw more processes. Page 1 is rewritten
  // every time, so its total is the current one; without it, the most common.
  std::uint32_t total = 0;
  if (auto first = byIndex.find(1); first != byIndex.end()) {
    total = loadU32(first->second.back()->page->bytes, b::kTotal);
  } else {
    total = std::max_element(totalVotes.begin(), totalVotes.end(), [](auto& l, auto& r) {
              return l.second < r.second;
            })->first;
    out.warnings.push_back("Layout B process-list page 1 is missing: assuming " +
                           std::to_string(total) + " processes (the most common total)");
  }
  const std::uint32_t pageCount = (total + b::kEntriesWritten - 1) / b::kEntriesWritten;
  out.declaredProcessCount = total;

  std::uint64_t duplicates = 0;
  std::uint32_t missingPages = 0;
  std::uint32_t stalePages = 0;
  std::uint32_t zeroPidEntries = 0;
  std::uint64_t lostToOverflow = 0;
  std::vector<BeaconProcess> processes;
  for (std::uint32_t index = 1; index <= pageCount; ++index) {
    auto it = byIndex.find(index);
    if (it == byIndex.end()) {
      ++missingPages;
      continue;
    }
    // Copies of the same slot (e.g. a page the guest moved): prefer one from the
    // current refresh (same total), the last such one in physical order.
    const ClassifiedBeaconPage* page = nullptr;
    for (const ClassifiedBeaconPage* candidate : it->second) {
      if (loadU32(candidate->page->bytes, b::kTotal) == total) page = candidate;
    }
    duplicates += it->second.size() - 1;
    if (page == nullptr) {
      ++stalePages;
      continue;
    }
    const beacon::Bytes p = page->page->bytes;
    const std::uint32_t count = loadU32(p, b::kCount);
    const std::uint32_t usable = std::min(count, b::kEntriesThatFit);
    lostToOverflow += count - usable;
    for (std::uint32_t i = 0; i < usable; ++i) {
      const beacon::Bytes e = beacon::entryAt(p, b::kEntries + b::kEntrySize * i);
      BeaconProcess process;
      process.pid = loadU32(e, 0);
      if (process.pid == 0) {  // never published: a leftover or garbage slot
        ++zeroPidEntries;
        continue;
      }
      process.ppid = loadU32(e, 4);
      process.uid = loadU32(e, 8);
      process.gid = loadU32(e, 12);
      process.virtualSizeKb = loadU64(e, 16);
      process.rssKb = loadU64(e, 24);
      process.name = beacon::fixedString(e, 40, b::kNameSize);
      process.state = beacon::stateLetter(beacon::loadU8(e, 104));
      processes.push_back(std::move(process));
    }
  }
  for (const auto& [index, copies] : byIndex) {
    if (index > pageCount) stalePages += 1;
  }

  std::stable_sort(processes.begin(), processes.end(),
                   [](const auto& l, const auto& r) { return l.pid < r.pid; });
  std::set<std::uint32_t> seen;
  std::uint32_t repeated = 0;
  for (auto& process : processes) {
    if (seen.insert(process.pid).second) {
      out.processes.push_back(std::move(process));
    } else {
      ++repeated;
    }
  }

  if (lostToOverflow != 0) {
    out.warnings.push_back("Layout B writer packs 40 processes per page but only 37 fit: " +
                           std::to_string(lostToOverflow) +
                           " process entries overflowed their page and are lost");
  }
  if (missingPages != 0) {
    out.warnings.push_back(std::to_string(missingPages) + " of " + std::to_string(pageCount) +
                           " Layout B process-list pages were not found");
  }
  if (stalePages != 0) {
    out.warnings.push_back(std::to_string(stalePages) +
                           " Layout B process-list pages are left over from an earlier refresh "
                           "(different process total) and were ignored");
  }
  if (zeroPidEntries != 0) {
    out.warnings.push_back(std::to_string(zeroPidEntries) +
                           " Layout B entries with pid 0 were skipped (pid 0 is never published)");
  }
  if (repeated != 0) {
    out.warnings.push_back(std::to_string(repeated) +
                           " Layout B entries repeat a pid already listed: kept the first");
  }
  if (out.processes.size() != total) {
    out.complete = false;
    out.warnings.push_back("recovered " + std::to_string(out.processes.size()) + " of " +
                           std::to_string(total) + " processes the Layout B writer published");
  }
  return duplicates;
}

}  // namespace xnuscope
