// Result rows as Python classes: read-only attributes named like the CLI's JSON
// keys (pid, ppid, uid, name, address, ...; addresses are ints, unknown is None),
// a readable repr, and to_dict() giving the same keys.
#include <pybind11/stl.h>

#include <cstdio>
#include <string>

#include "engine/Target.h"
#include "python/PythonBindings.h"

namespace py = pybind11;

namespace xnuscope::python {
namespace {

using engine::MapEntry;
using engine::MapList;
using engine::Process;
using engine::ProcessList;
using engine::TargetInfo;

std::string hexText(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string sourceName(engine::ProfileSource source) {
  return std::string(engine::profileSourceName(source));
}

py::dict processDict(const Process& p) {
  py::dict d;
  d["pid"] = p.pid;
  d["ppid"] = p.ppid;
  d["uid"] = p.uid;
  d["gid"] = p.gid;
  d["name"] = p.name;
  d["comm"] = p.comm;
  d["p_name"] = p.pName;
  d["address"] = p.address;
  d["task"] = p.task;
  d["map"] = p.map;
  d["pmap_cr3"] = p.pmapCr3;
  d["start_time"] = p.startSeconds;
  d["start_usec"] = p.startMicroseconds;
  d["zombie"] = p.zombie;
  d["source"] = std::string(engine::processOriginName(p.origin));
  d["in_allproc"] = p.inAllproc;
  d["in_tasks_queue"] = p.inTasksQueue;
  d["in_pid_hash"] = p.inPidHash;
  d["state"] = p.state ? py::object(py::str(std::string(1, *p.state))) : py::object(py::none());
  d["rss_kb"] = p.rssKb;
  d["vsize_kb"] = p.virtualSizeKb;
  return d;
}

py::dict mapEntryDict(const MapEntry& e) {
  py::dict d;
  d["start"] = e.start;
  d["end"] = e.end;
  d["size"] = e.size();
  d["prot"] = engine::protectionText(e.protection);
  d["maxprot"] = e.maxProtection ? py::object(py::str(engine::protectionText(*e.maxProtection)))
                                 : py::object(py::none());
  d["inheritance"] = e.inheritance ? py::object(py::str(engine::inheritanceText(*e.inheritance)))
                                   : py::object(py::none());
  d["offset"] = e.offset;
  d["tag"] = e.tag;
  d["object"] = e.object;
  d["is_submap"] = e.isSubmap;
  d["entry"] = e.entryAddress;
  d["share"] = e.share;
  d["path"] = e.path;
  d["source"] = e.origin == engine::MapOrigin::Beacon ? "beacon" : "vm_map";
  return d;
}

// A list-like result: len(), iteration, indexing, plus complete/warnings/source.
template <typename List, typename Row>
void bindListProtocol(py::class_<List>& cls, std::vector<Row> List::*rows) {
  cls.def("__len__", [rows](const List& list) { return (list.*rows).size(); })
      .def(
          "__iter__",
          [rows](const List& list) {
            return py::make_iterator((list.*rows).begin(), (list.*rows).end());
          },
          py::keep_alive<0, 1>())
      .def("__getitem__", [rows](const List& list, py::ssize_t index) {
        const auto size = static_cast<py::ssize_t>((list.*rows).size());
        if (index < 0) index += size;
        if (index < 0 || index >= size) throw py::index_error("row index out of range");
        return (list.*rows)[static_cast<std::size_t>(index)];
      });
}

}  // namespace

void bindRows(py::module_& module) {
  py::class_<Process>(module, "Process",
                      "One process, from the kernel walk or an in-guest companion's beacon "
                      "pages (source says which). Unknown fields are None.")
      .def_readonly("pid", &Process::pid)
      .def_readonly("ppid", &Process::ppid)
      .def_readonly("uid", &Process::uid, "real uid; None when the credentials were unreadable")
      .def_readonly("gid", &Process::gid)
      .def_readonly("name", &Process::name, "p_name when the kernel set it, else p_comm")
      .def_readonly("comm", &Process::comm, "p_comm (16 characters); None for beacon rows")
      .def_readonly("p_name", &Process::pName)
      .def_readonly("address", &Process::address, "kernel VA of struct proc; None for beacons")
      .def_readonly("task", &Process::task)
      .def_readonly("map", &Process::map, "task->map (the _vm_map)")
      .def_readonly("pmap_cr3", &Process::pmapCr3, "the process' page-table root")
      .def_readonly("start_time", &Process::startSeconds, "p_start, Unix seconds")
      .def_readonly("start_usec", &Process::startMicroseconds)
      .def_readonly("zombie", &Process::zombie)
      .def_property_readonly(
          "source",
          [](const Process& p) { return std::string(engine::processOriginName(p.origin)); },
          "'allproc', 'zombproc', 'tasks' (found only on the task queue), 'pid_hash' (only in "
          "the macOS 14+ pid lookup table) or 'beacon'")
      .def_readonly("in_allproc", &Process::inAllproc)
      .def_readonly("in_tasks_queue", &Process::inTasksQueue)
      .def_readonly("in_pid_hash", &Process::inPidHash)
      .def_property_readonly(
          "state",
          [](const Process& p) -> py::object {
            return p.state ? py::object(py::str(std::string(1, *p.state))) : py::none();
          },
          "beacon rows: the companion's state letter")
      .def_readonly("rss_kb", &Process::rssKb)
      .def_readonly("vsize_kb", &Process::virtualSizeKb)
      .def("to_dict", &processDict, "The row as a dict (the CLI's JSON keys; addresses as ints).")
      .def("__repr__", [](const Process& p) {
        return "<xnuscope.Process pid=" + std::to_string(p.pid) +
               " ppid=" + std::to_string(p.ppid) + " name='" + p.name + "'" +
               (p.address ? " address=" + hexText(*p.address) : std::string()) +
               " source=" + std::string(engine::processOriginName(p.origin)) + ">";
      });

  auto processList = py::class_<ProcessList>(
      module, "ProcessList",
      "The processes of a guest: a sequence of Process, plus `complete` (False when a walk "
      "was cut short), `warnings` and `source` ('exact', 'derived' or 'beacon').");
  processList.def_readonly("complete", &ProcessList::complete)
      .def_readonly("warnings", &ProcessList::warnings)
      .def_property_readonly("source",
                             [](const ProcessList& list) { return sourceName(list.source); })
      .def("__repr__", [](const ProcessList& list) {
        return "<xnuscope.ProcessList " + std::to_string(list.processes.size()) +
               " processes source=" + sourceName(list.source) +
               (list.complete ? "" : " incomplete") + ">";
      });
  bindListProtocol(processList, &ProcessList::processes);

  py::class_<MapEntry>(module, "MapEntry",
                       "One mapping of a process: a vm_map_entry, or a region a companion "
                       "published. prot/maxprot are 'rwx' letters.")
      .def_readonly("start", &MapEntry::start)
      .def_readonly("end", &MapEntry::end, "exclusive")
      .def_property_readonly("size", &MapEntry::size)
      .def_property_readonly("prot",
                             [](const MapEntry& e) { return engine::protectionText(e.protection); })
      .def_property_readonly("maxprot",
                             [](const MapEntry& e) -> py::object {
                               if (!e.maxProtection) return py::none();
                               return py::str(engine::protectionText(*e.maxProtection));
                             })
      .def_property_readonly("inheritance",
                             [](const MapEntry& e) -> py::object {
                               if (!e.inheritance) return py::none();
                               return py::str(engine::inheritanceText(*e.inheritance));
                             })
      .def_readonly("offset", &MapEntry::offset)
      .def_readonly("tag", &MapEntry::tag, "VM_MEMORY_* user tag")
      .def_readonly("object", &MapEntry::object)
      .def_readonly("is_submap", &MapEntry::isSubmap)
      .def_readonly("entry", &MapEntry::entryAddress, "kernel VA of the vm_map_entry")
      .def_readonly("share", &MapEntry::share)
      .def_readonly("path", &MapEntry::path)
      .def_property_readonly("source",
                             [](const MapEntry& e) {
                               return e.origin == engine::MapOrigin::Beacon ? "beacon" : "vm_map";
                             })
      .def("to_dict", &mapEntryDict, "The row as a dict (the CLI's JSON keys).")
      .def("__repr__", [](const MapEntry& e) {
        return "<xnuscope.MapEntry " + hexText(e.start) + "-" + hexText(e.end) + " " +
               engine::protectionText(e.protection) + ">";
      });

  auto mapList = py::class_<MapList>(
      module, "MapList",
      "The memory map of one process: a sequence of MapEntry sorted by start, plus pid, "
      "name, map, pmap_cr3, complete, warnings and source.");
  mapList.def_readonly("pid", &MapList::pid)
      .def_readonly("name", &MapList::name)
      .def_readonly("map", &MapList::map)
      .def_readonly("pmap_cr3", &MapList::pmapCr3)
      .def_readonly("declared_entries", &MapList::declaredEntries, "hdr.nentries")
      .def_readonly("complete", &MapList::complete)
      .def_readonly("warnings", &MapList::warnings)
      .def_property_readonly("source", [](const MapList& list) { return sourceName(list.source); })
      .def_property_readonly("total_size", &MapList::totalSize)
      .def("__repr__", [](const MapList& list) {
        return "<xnuscope.MapList pid=" + std::to_string(list.pid) + " " +
               std::to_string(list.entries.size()) + " entries>";
      });
  bindListProtocol(mapList, &MapList::entries);

  py::class_<KextRecord>(module, "Kext", "A loaded kernel extension.")
      .def_readonly("name", &KextRecord::name)
      .def_readonly("version", &KextRecord::version)
      .def_readonly("address", &KextRecord::address)
      .def_readonly("size", &KextRecord::size)
      .def_readonly("id", &KextRecord::id)
      .def("__repr__", [](const KextRecord& k) {
        return "<xnuscope.Kext " + k.name + " " + k.version + " at " + hexText(k.address) + ">";
      });

  py::class_<engine::ResolutionStep>(module, "ResolutionStep",
                                     "One step of resolving kernel and profile.")
      .def_readonly("stage", &engine::ResolutionStep::stage)
      .def_readonly("ok", &engine::ResolutionStep::succeeded)
      .def_readonly("detail", &engine::ResolutionStep::detail)
      .def("__repr__", [](const engine::ResolutionStep& s) {
        return "<xnuscope.ResolutionStep " + s.stage + (s.succeeded ? " ok: " : " failed: ") +
               s.detail + ">";
      });

  py::class_<KernelFact>(module, "KernelFact", "An independent fact checked against the kernel.")
      .def_readonly("name", &KernelFact::name)
      .def_readonly("agreed", &KernelFact::agreed)
      .def_readonly("detail", &KernelFact::detail);

  py::class_<TargetInfo>(module, "Info",
                         "Where the kernel is, which build it is, the facts that prove it, and "
                         "how its profile was resolved.")
      .def_property_readonly("kernel_base_va",
                             [](const TargetInfo& i) { return i.kernel.kernelBaseVa; })
      .def_property_readonly("kernel_base_pa",
                             [](const TargetInfo& i) { return i.kernel.kernelBasePa; })
      .def_property_readonly("kaslr_slide", [](const TargetInfo& i) { return i.kernel.kaslrSlide; })
      .def_property_readonly("dtb", [](const TargetInfo& i) { return i.kernel.dtb; })
      .def_property_readonly("dtb_source", [](const TargetInfo& i) { return i.kernel.dtbSource; })
      .def_property_readonly("banner", [](const TargetInfo& i) { return i.kernel.banner; })
      .def_property_readonly("uuid", [](const TargetInfo& i) { return i.kernel.uuid; })
      .def_property_readonly("build", [](const TargetInfo& i) { return i.kernel.build; })
      .def_property_readonly("darwin_version",
                             [](const TargetInfo& i) {
                               return std::to_string(i.kernel.versionMajor) + "." +
                                      std::to_string(i.kernel.versionMinor);
                             })
      .def_property_readonly("kernel_collection",
                             [](const TargetInfo& i) { return i.kernel.isKernelCollection; })
      .def_property_readonly("facts", [](const TargetInfo& i) { return i.kernel.facts; })
      .def_readonly("profile", &TargetInfo::profile, "the profile's description; None if none fits")
      .def_property_readonly(
          "profile_source",
          [](const TargetInfo& i) -> py::object {
            if (!i.profileSource) return py::none();
            return py::str(sourceName(*i.profileSource));
          },
          "'exact' or 'derived'; None when no profile serves")
      .def_readonly("profile_origin", &TargetInfo::profileOrigin,
                    "'auto (uuid)', 'auto (banner)', '--profile PATH' or 'derived (NAME)'")
      .def_readonly("warnings", &TargetInfo::warnings)
      .def_readonly("steps", &TargetInfo::steps, "the resolution, step by step")
      .def("__repr__", [](const TargetInfo& i) {
        return "<xnuscope.Info build=" + (i.kernel.build.empty() ? "?" : i.kernel.build) +
               " base=" + hexText(i.kernel.kernelBaseVa) +
               " slide=" + hexText(i.kernel.kaslrSlide) + " dtb=" + hexText(i.kernel.dtb) +
               " profile=" +
               (i.profile ? *i.profile + " (" + i.profileOrigin + ")" : std::string("none")) + ">";
      });
}

}  // namespace xnuscope::python
