#include "beacon/BeaconRows.h"

#include "core/Hex.h"

namespace xnuscope {

using Json = nlohmann::ordered_json;

Json beaconProcessRow(const BeaconProcess& process) {
  Json row;
  row["pid"] = process.pid;
  row["ppid"] = process.ppid;
  row["uid"] = process.uid;
  row["gid"] = process.gid;
  row["name"] = process.name;
  row["address"] = nullptr;
  row["state"] = std::string(1, process.state);
  row["rss_kb"] = process.rssKb;
  if (process.virtualSizeKb) row["vsize_kb"] = *process.virtualSizeKb;
  row["source"] = "beacon";
  return row;
}

Json beaconRegionRow(const BeaconRegion& region) {
  Json row;
  row["pid"] = region.pid;
  row["start"] = hex(region.start);
  row["end"] = hex(region.end);
  row["prot"] = region.protection();
  row["maxprot"] = nullptr;
  row["share"] = region.sharing();
  row["path"] = region.path;
  row["source"] = "beacon";
  return row;
}

Json beaconPteRow(const BeaconPte& pte) {
  Json row;
  row["pid"] = pte.pid;
  row["va"] = hex(pte.va);
  row["pa"] = hex(pte.pa);
  row["flags"] = pte.flags;
  row["verified"] = pte.verified;
  row["note"] = pte.note;
  row["source"] = "beacon";
  return row;
}

Json beaconSessionRow(const BeaconSessionInfo& session, bool selected) {
  Json row;
  row["id"] = session.id;
  row["layout"] = std::string(beaconLayoutName(session.layout));
  row["timestamp"] = session.timestamp ? Json(*session.timestamp) : Json(nullptr);
  row["selected"] = selected;
  row["master"] = session.hasMaster;
  row["pages_found"] = session.pages.found;
  row["pages_valid"] = session.pages.valid;
  row["pages_torn"] = session.pages.torn;
  row["pages_duplicate"] = session.pages.duplicates;
  return row;
}

}  // namespace xnuscope
