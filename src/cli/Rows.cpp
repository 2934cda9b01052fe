#include "cli/Rows.h"

#include <ctime>

#include "core/Hex.h"

namespace xnuscope::cli {

using Json = nlohmann::ordered_json;

namespace {

template <typename T>
Json orNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json hexOrNull(const std::optional<std::uint64_t>& value) {
  return value ? Json(hex(*value)) : Json(nullptr);
}

}  // namespace

std::string isoTimeUtc(std::int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  if (!gmtime_r(&time, &parts)) return {};
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) return {};
  return text;
}

Json processRow(const engine::Process& p) {
  Json row;
  row["pid"] = p.pid;
  row["ppid"] = p.ppid;
  row["uid"] = orNull(p.uid);
  row["gid"] = orNull(p.gid);
  row["name"] = p.name;
  row["comm"] = orNull(p.comm);
  row["p_name"] = orNull(p.pName);
  row["address"] = hexOrNull(p.address);
  row["task"] = hexOrNull(p.task);
  row["map"] = hexOrNull(p.map);
  row["pmap_cr3"] = hexOrNull(p.pmapCr3);
  row["start_time"] = p.startSeconds ? Json(isoTimeUtc(*p.startSeconds)) : Json(nullptr);
  row["start_time_epoch"] = orNull(p.startSeconds);
  row["start_usec"] = orNull(p.startMicroseconds);
  row["zombie"] = p.zombie;
  row["source"] = std::string(engine::processOriginName(p.origin));
  row["in_allproc"] = orNull(p.inAllproc);
  row["in_tasks_queue"] = orNull(p.inTasksQueue);
  row["state"] = p.state ? Json(std::string(1, *p.state)) : Json(nullptr);
  row["rss_kb"] = orNull(p.rssKb);
  row["vsize_kb"] = orNull(p.virtualSizeKb);
  return row;
}

Json mapEntryRow(const engine::MapEntry& e, std::int32_t pid) {
  Json row;
  row["pid"] = pid;
  row["start"] = hex(e.start);
  row["end"] = hex(e.end);
  row["size"] = hex(e.size());
  row["prot"] = engine::protectionText(e.protection);
  row["maxprot"] = e.maxProtection ? Json(engine::protectionText(*e.maxProtection)) : Json(nullptr);
  row["inheritance"] =
      e.inheritance ? Json(engine::inheritanceText(*e.inheritance)) : Json(nullptr);
  row["offset"] = hexOrNull(e.offset);
  row["tag"] = orNull(e.tag);
  row["object"] = hexOrNull(e.object);
  row["is_submap"] = orNull(e.isSubmap);
  row["entry"] = hexOrNull(e.entryAddress);
  row["share"] = orNull(e.share);
  row["path"] = orNull(e.path);
  row["source"] = e.origin == engine::MapOrigin::Beacon ? "beacon" : "vm_map";
  return row;
}

Json kextRow(const KextRecord& k) {
  Json row;
  row["name"] = k.name;
  row["version"] = k.version;
  row["address"] = hex(k.address);
  row["size"] = hex(k.size);
  row["id"] = k.id;
  row["kmod_info"] = k.infoAddress ? Json(hex(k.infoAddress)) : Json(nullptr);
  row["source"] = k.inKmodList && k.inSummaries ? "kmod+summaries"
                  : k.inKmodList                ? "kmod"
                                                : "summaries";
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

std::vector<ReportColumn> processColumns(engine::ProfileSource source) {
  if (source == engine::ProfileSource::Beacon) {
    return {{"pid", "PID", true}, {"ppid", "PPID", true}, {"uid", "UID", true},
            {"state", "S"},       {"name", "NAME"},       {"source", "SOURCE"}};
  }
  return {{"pid", "PID", true},           {"ppid", "PPID", true},     {"uid", "UID", true},
          {"name", "NAME", false},        {"address", "PROC", false}, {"task", "TASK", false},
          {"start_time", "START", false}, {"source", "SOURCE", false}};
}

std::vector<ReportColumn> mapEntryColumns(engine::ProfileSource source) {
  if (source == engine::ProfileSource::Beacon) {
    return {{"start", "START"}, {"end", "END"},   {"prot", "PROT"},
            {"share", "SHARE"}, {"path", "PATH"}, {"source", "SOURCE"}};
  }
  return {{"start", "START", false},   {"end", "END", false},
          {"size", "SIZE", true},      {"prot", "PROT", false},
          {"maxprot", "MAX", false},   {"inheritance", "INHERIT", false},
          {"offset", "OFFSET", true},  {"tag", "TAG", true},
          {"object", "OBJECT", false}, {"is_submap", "SUBMAP", false}};
}

std::vector<ReportColumn> kextColumns() {
  return {{"id", "ID", true},      {"address", "ADDRESS", false},
          {"size", "SIZE", true},  {"version", "VERSION", false},
          {"name", "NAME", false}, {"source", "SOURCE", false}};
}

}  // namespace xnuscope::cli
