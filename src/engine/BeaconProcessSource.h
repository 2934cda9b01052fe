// Processes and memory regions from an in-guest companion's beacon pages, for when
// no kernel can be located or no profile serves it. Every list says, in its first
// warning, why the kernel path failed and that the rows are the companion's claim.
#pragma once

#include <string>

#include "beacon/BeaconSnapshot.h"
#include "engine/ProcessSource.h"

namespace xnuscope::engine {

class BeaconProcessSource : public ProcessSource {
 public:
  // `snapshot` must hold a chosen session (BeaconSnapshot::hasSession()).
  BeaconProcessSource(BeaconSnapshot snapshot, std::string whyNoKernel);

  ProfileSource source() const override { return ProfileSource::Beacon; }
  ProcessList processes() const override;
  // The regions the companion published for `pid` (incomplete, with a warning
  // naming the pids it did publish, when there are none for this one).
  MapList maps(std::int32_t pid) const override;

  const BeaconSnapshot& snapshot() const { return snapshot_; }

 private:
  std::vector<std::string> fallbackWarnings() const;

  BeaconSnapshot snapshot_;
  std::string whyNoKernel_;
};

}  // namespace xnuscope::engine
