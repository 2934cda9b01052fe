// The beacon fallback end to end: scan guest physical memory for beacon pages,
// classify them, group them into companion sessions, choose one (the newest, or
// the one the user names) and decode it.
#pragma once

#include <cstdint>
#include <optional>

#include "beacon/BeaconScanner.h"
#include "beacon/BeaconSnapshot.h"
#include "core/Progress.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class BeaconReader {
 public:
  explicit BeaconReader(const PhysicalMemory& memory) : memory_(memory) {}

  // Everything the scan saw. `sessionId` picks a session; without it the newest
  // Layout A session (by master timestamp) wins, then the Layout B session with the
  // most pages. When no session has a valid page, the snapshot has no chosen
  // session (hasSession() is false) but still carries the page counts. Throws
  // InputError when `sessionId` names a session that is not in memory.
  BeaconSnapshot read(std::optional<std::uint32_t> sessionId,
                      const ProgressFn& progress = {}) const;

  // The same, over pages already found by BeaconScanner (tests, repeated reads).
  BeaconSnapshot assemble(const BeaconScanResult& scan,
                          std::optional<std::uint32_t> sessionId) const;

 private:
  const PhysicalMemory& memory_;
};

// For the pslist/maps fallback: the chosen session's snapshot, or nullopt when the
// image holds no usable beacon session at all.
std::optional<BeaconSnapshot> readBeacons(const PhysicalMemory& memory,
                                          std::optional<std::uint32_t> sessionId,
                                          const ProgressFn& progress = {});

}  // namespace xnuscope
