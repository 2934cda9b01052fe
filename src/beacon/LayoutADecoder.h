// Decodes the valid Layout A pages of one companion session into processes (the
// newest complete PID generation), memory regions and PTEs (the camera streams).
#pragma once

#include <vector>

#include "beacon/BeaconPageClassifier.h"
#include "beacon/BeaconSnapshot.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class LayoutADecoder {
 public:
  // `memory` is only used to check the PTEs the session publishes.
  explicit LayoutADecoder(const PhysicalMemory& memory) : memory_(memory) {}

  // `pages`: the session's pages of kind LayoutA, in physical address order.
  // Fills processes, regions, ptes, generation, declaredProcessCount, complete and
  // warnings of `out`; returns how many pages were superseded duplicates.
  std::uint64_t decode(const std::vector<ClassifiedBeaconPage>& pages, BeaconSnapshot& out) const;

 private:
  // Returns how many PID pages were superseded copies within their generation.
  std::uint64_t decodeProcesses(const std::vector<const ClassifiedBeaconPage*>& pidPages,
                                BeaconSnapshot& out) const;
  void decodeCamera(std::uint32_t category,
                    const std::vector<const ClassifiedBeaconPage*>& cameraPages,
                    BeaconSnapshot& out) const;
  // Decodes one data page's entry stream; returns false when the stream was cut
  // short by an unknown entry type.
  bool decodeCameraStream(const ClassifiedBeaconPage& page, std::uint32_t targetPid,
                          BeaconSnapshot& out) const;

  const PhysicalMemory& memory_;
};

}  // namespace xnuscope
