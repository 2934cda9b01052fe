// The one memory-map row of the engine: a vm_map_entry from the kernel walk or a
// region an in-guest companion published. Fields a source cannot know are
// nullopt (a beacon region has no max protection; a vm_map_entry no path).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/ProfileSource.h"

namespace xnuscope {
struct BeaconRegion;
struct VmMapEntryRecord;
}  // namespace xnuscope

namespace xnuscope::engine {

enum class MapOrigin { VmMap, Beacon };

struct MapEntry {
  std::uint64_t start = 0;
  std::uint64_t end = 0;         // exclusive
  std::uint32_t protection = 0;  // VM_PROT_READ 1 | WRITE 2 | EXECUTE 4
  std::optional<std::uint32_t> maxProtection;
  std::optional<std::uint32_t> inheritance;  // VM_INHERIT_*
  std::optional<std::uint64_t> offset;       // into the backing object
  std::optional<std::uint32_t> tag;          // VM_MEMORY_* user tag
  std::optional<std::uint64_t> object;       // vm_object, or the submap
  std::optional<bool> isSubmap;
  std::optional<std::uint64_t> entryAddress;  // the vm_map_entry (kernel VA)
  std::optional<std::string> share;           // beacon: "private", "shared" or ""
  std::optional<std::string> path;            // beacon: the mapped file
  MapOrigin origin = MapOrigin::VmMap;

  std::uint64_t size() const { return end - start; }
};

struct MapList {
  std::int32_t pid = 0;
  std::string name;                  // the process' name; empty when unknown
  std::optional<std::uint64_t> map;  // the _vm_map (kernel only)
  std::optional<std::uint64_t> pmapCr3;
  std::optional<std::int64_t> declaredEntries;  // hdr.nentries (kernel only)
  std::vector<MapEntry> entries;                // sorted by start
  ProfileSource source = ProfileSource::Exact;
  bool complete = true;
  std::vector<std::string> warnings;

  std::uint64_t totalSize() const;
};

MapEntry toMapEntry(const VmMapEntryRecord& record);
MapEntry toMapEntry(const BeaconRegion& region);

// "r-x" letters of a VM_PROT_* value; "share", "copy", ... for VM_INHERIT_*.
std::string protectionText(std::uint32_t protection);
std::string inheritanceText(std::uint32_t inheritance);

}  // namespace xnuscope::engine
