#include "engine/KernelProcessSource.h"

#include "core/Error.h"
#include "xnu/ProcWalker.h"
#include "xnu/VmMapWalker.h"

namespace xnuscope::engine {

ProcessList KernelProcessSource::processes() const {
  const ProcessListing listing = ProcWalker(kernel_).walk();
  // A running kernel always has kernel_task: an empty walk is not "no processes" but
  // a layout that does not fit this kernel (or lists the walk could not follow).
  if (listing.processes.empty()) {
    std::string why;
    for (const auto& warning : listing.status.warnings) why += (why.empty() ? "" : "; ") + warning;
    throw AnalysisError("no process could be recovered (" + why +
                        "): the profile's layout does not fit this kernel or its lists are "
                        "unreadable; try --profile auto, --profile derive, or xnuscope info");
  }
  ProcessList list;
  list.source = source_;
  list.complete = listing.status.complete;
  list.warnings = listing.status.warnings;
  list.processes.reserve(listing.processes.size());
  for (const auto& record : listing.processes) list.processes.push_back(toProcess(record));
  return list;
}

MapList KernelProcessSource::maps(std::int32_t pid) const {
  const ProcessList list = processes();
  const Process& process = findProcess(list, pid);
  if (!process.map) {
    throw AnalysisError("maps: pid " + std::to_string(pid) + " (" + process.name +
                        ") has no readable task/vm_map" +
                        (process.zombie ? " (it is a zombie)" : ""));
  }
  const VmMapListing listing = VmMapWalker(kernel_).walk(*process.map);
  MapList maps;
  maps.pid = process.pid;
  maps.name = process.name;
  maps.map = process.map;
  maps.pmapCr3 = listing.pmapCr3;
  maps.declaredEntries = listing.declaredEntries;
  maps.source = source_;
  maps.complete = listing.status.complete;
  maps.warnings = listing.status.warnings;
  maps.entries.reserve(listing.entries.size());
  for (const auto& entry : listing.entries) maps.entries.push_back(toMapEntry(entry));
  return maps;
}

}  // namespace xnuscope::engine
