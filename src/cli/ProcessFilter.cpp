#include "cli/ProcessFilter.h"

#include "engine/Process.h"

namespace xnuscope::cli {

void requireProcess(const ProcessListing& listing, std::int32_t pid) {
  engine::ProcessList list;
  list.processes.reserve(listing.processes.size());
  for (const auto& record : listing.processes) list.processes.push_back(engine::toProcess(record));
  engine::findProcess(list, pid);
}

}  // namespace xnuscope::cli
