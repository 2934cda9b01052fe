// The guest's kernel file as it is linked (a KDK's kernel, or forge's IMAGE.kernel):
// its UNSLID segment starts, defined symbols and LC_UUID. A macOS 11+ kernel
// collection slides each segment separately and its in-memory header carries only
// runtime addresses, so translating profile symbols needs the unslid segment
// starts that only this file has.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace xnuscope {

class KernelFile {
 public:
  // Parses `path` (thin x86_64 MH_EXECUTE, or the x86_64 slice of a fat file).
  // Throws InputError when the file is missing, not a Mach-O, a kernel collection
  // (MH_FILESET), or has no x86_64 kernel.
  static KernelFile load(const std::string& path);

  const std::string& path() const { return path_; }
  // Segment name → unslid vmaddr ("__TEXT", "__DATA_CONST", ...).
  const std::map<std::string, std::uint64_t>& segments() const { return segments_; }
  // Defined (N_SECT) symbols, Mach-O spelling ("_allproc") → unslid address.
  const std::map<std::string, std::uint64_t>& symbols() const { return symbols_; }
  // LC_UUID as "8-4-4-4-12" upper-case hex; empty when the file has none.
  const std::string& uuid() const { return uuid_; }

 private:
  std::string path_;
  std::map<std::string, std::uint64_t> segments_;
  std::map<std::string, std::uint64_t> symbols_;
  std::string uuid_;
};

}  // namespace xnuscope
