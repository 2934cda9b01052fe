#include "engine/MapEntry.h"

#include "beacon/BeaconSnapshot.h"
#include "xnu/VmMapEntryRecord.h"

namespace xnuscope::engine {

std::uint64_t MapList::totalSize() const {
  std::uint64_t total = 0;
  for (const auto& entry : entries) total += entry.size();
  return total;
}

MapEntry toMapEntry(const VmMapEntryRecord& record) {
  MapEntry entry;
  entry.start = record.start;
  entry.end = record.end;
  entry.protection = record.protection;
  entry.maxProtection = record.maxProtection;
  entry.inheritance = record.inheritance;
  entry.offset = record.offset;
  entry.tag = record.tag;
  entry.object = record.object;
  entry.isSubmap = record.isSubmap;
  entry.entryAddress = record.address;
  entry.origin = MapOrigin::VmMap;
  return entry;
}

MapEntry toMapEntry(const BeaconRegion& region) {
  MapEntry entry;
  entry.start = region.start;
  entry.end = region.end;
  entry.protection = region.perms & 7u;  // the protocol's r/w/x bits are VM_PROT_*'s
  entry.share = region.sharing();
  entry.path = region.path;
  entry.origin = MapOrigin::Beacon;
  return entry;
}

std::string protectionText(std::uint32_t protection) { return protectionLetters(protection); }
std::string inheritanceText(std::uint32_t inheritance) { return inheritanceName(inheritance); }

}  // namespace xnuscope::engine
