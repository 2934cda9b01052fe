// JSON rows for beacon results, shared by `xnuscope beacons` and the pslist/maps
// fallback. Process and region rows carry the same keys as the kernel walkers'
// rows (pid, ppid, uid, name, address / start, end, prot, maxprot) plus
// "source": "beacon", so a consumer can tell companion claims from kernel facts.
#pragma once

#include <nlohmann/json.hpp>

#include "beacon/BeaconSnapshot.h"

namespace xnuscope {

// pid, ppid, uid, gid, name, address (null: the companion cannot know the proc
// VA), state, rss_kb, source.
nlohmann::ordered_json beaconProcessRow(const BeaconProcess& process);
// pid, start, end, prot ("r-x"), maxprot (null: not published), share, path, source.
nlohmann::ordered_json beaconRegionRow(const BeaconRegion& region);
// pid, va, pa, flags, verified, note, source.
nlohmann::ordered_json beaconPteRow(const BeaconPte& pte);
// id, layout, timestamp (Unix seconds or null), selected, master, pages_found,
// pages_valid, pages_torn, pages_duplicate.
nlohmann::ordered_json beaconSessionRow(const BeaconSessionInfo& session, bool selected);

}  // namespace xnuscope
