#include "cli/XnuRows.h"

#include <ctime>

#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope::cli {

using Json = nlohmann::ordered_json;

std::string isoTimeUtc(std::int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  if (!gmtime_r(&time, &parts)) return {};
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) return {};
  return text;
}

Json processRow(const ProcessRecord& p) {
  Json row;
  row["pid"] = p.pid;
  row["ppid"] = p.ppid;
  row["uid"] = p.uid ? Json(*p.uid) : Json(nullptr);
  row["gid"] = p.gid ? Json(*p.gid) : Json(nullptr);
  row["name"] = p.name();
  row["comm"] = p.comm;
  row["p_name"] = p.pName;
  row["address"] = hex(p.address);
  row["task"] = p.task ? Json(hex(p.task)) : Json(nullptr);
  row["map"] = p.map ? Json(hex(p.map)) : Json(nullptr);
  row["pmap_cr3"] = p.pmapCr3 ? Json(hex(*p.pmapCr3)) : Json(nullptr);
  if (p.startSeconds) {
    row["start_time"] = isoTimeUtc(*p.startSeconds);
    row["start_time_epoch"] = *p.startSeconds;
    row["start_usec"] = p.startMicroseconds;
  } else {
    row["start_time"] = nullptr;
    row["start_time_epoch"] = nullptr;
    row["start_usec"] = nullptr;
  }
  row["zombie"] = p.zombie();
  row["source"] = procSourceName(p.source);
  row["in_allproc"] = p.inAllproc;
  row["in_tasks_queue"] = p.inTasksQueue;
  return row;
}

Json mapEntryRow(const VmMapEntryRecord& e) {
  Json row;
  row["start"] = hex(e.start);
  row["end"] = hex(e.end);
  row["size"] = hex(e.size());
  row["prot"] = protectionLetters(e.protection);
  row["maxprot"] = protectionLetters(e.maxProtection);
  row["inheritance"] = inheritanceName(e.inheritance);
  row["offset"] = hex(e.offset);
  row["tag"] = e.tag;
  row["object"] = hex(e.object);
  row["is_submap"] = e.isSubmap;
  row["entry"] = hex(e.address);
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

std::vector<ReportColumn> processColumns() {
  return {{"pid", "PID", true},           {"ppid", "PPID", true},     {"uid", "UID", true},
          {"name", "NAME", false},        {"address", "PROC", false}, {"task", "TASK", false},
          {"start_time", "START", false}, {"source", "SOURCE", false}};
}

std::vector<ReportColumn> mapEntryColumns() {
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

const ProcessRecord& findProcess(const ProcessListing& listing, std::int32_t pid) {
  const ProcessRecord* found = nullptr;
  for (const auto& p : listing.processes) {
    if (p.pid != pid) continue;
    if (!found || (found->zombie() && !p.zombie())) found = &p;
  }
  if (!found) {
    throw InputError("no process with pid " + std::to_string(pid) + " among the " +
                     std::to_string(listing.processes.size()) +
                     " processes found; run `xnuscope pslist` to see them");
  }
  return *found;
}

}  // namespace xnuscope::cli
