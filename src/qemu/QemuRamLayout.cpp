#include "qemu/QemuRamLayout.h"

#include <filesystem>
#include <system_error>

#include "core/Error.h"
#include "qemu/QmpClient.h"

namespace xnuscope {
namespace {

bool sameFile(const std::string& a, const std::string& b) {
  std::error_code error;
  const bool same = std::filesystem::equivalent(a, b, error);
  return !error && same;
}

std::string optionalString(QmpClient& qmp, const std::string& object, const std::string& name) {
  try {
    const auto value = qmp.execute("qom-get", {{"path", object}, {"property", name}});
    return value.is_string() ? value.get<std::string>() : std::string();
  } catch (const QmpCommandError&) {
    return {};  // not a file backend, or the property does not exist in this QEMU
  }
}

std::uint64_t optionalNumber(QmpClient& qmp, const std::string& object, const std::string& name) {
  try {
    const auto value = qmp.execute("qom-get", {{"path", object}, {"property", name}});
    return value.is_number_unsigned() ? value.get<std::uint64_t>() : 0;
  } catch (const QmpCommandError&) {
    return 0;
  }
}

}  // namespace

MemoryBackend findMemoryBackend(QmpClient& qmp, const std::string& memPath) {
  const auto memdevs = qmp.execute("query-memdev");
  std::vector<MemoryBackend> seen;
  for (const auto& dev : memdevs) {
    MemoryBackend backend;
    // Member by member: a reply of another shape must not be an internal error.
    if (!dev.is_object()) continue;
    if (dev.contains("id") && dev["id"].is_string()) backend.id = dev["id"].get<std::string>();
    if (dev.contains("size") && dev["size"].is_number_unsigned()) {
      backend.size = dev["size"].get<std::uint64_t>();
    }
    backend.share = dev.contains("share") && dev["share"].is_boolean() && dev["share"].get<bool>();
    if (backend.id.empty()) continue;  // anonymous backends cannot be named by mtree either
    const std::string object = "/objects/" + backend.id;
    backend.memPath = optionalString(qmp, object, "mem-path");
    if (!backend.memPath.empty() && sameFile(backend.memPath, memPath)) {
      if (!backend.share) {
        throw InputError("QEMU maps " + memPath + " (memory backend '" + backend.id +
                         "') with share=off: the guest's writes never reach the file; "
                         "restart QEMU with share=on on that memory-backend-file");
      }
      backend.fileOffset = optionalNumber(qmp, object, "offset");
      return backend;
    }
    seen.push_back(std::move(backend));
  }
  std::string found;
  for (const auto& backend : seen) {
    if (!found.empty()) found += ", ";
    found += "'" + backend.id + "' (" +
             (backend.memPath.empty() ? std::string("not file-backed") : backend.memPath) + ")";
  }
  throw InputError(
      "QEMU at " + qmp.endpoint() + " has no memory-backend-file with mem-path " + memPath +
      (found.empty() ? std::string(" (it has no named memory backend at all)")
                     : " (its backends: " + found + ")") +
      "; start QEMU with -object memory-backend-file,id=mem,size=...,mem-path=" + memPath +
      ",share=on -machine memory-backend=mem, or pass that VM's QMP socket");
}

std::vector<FileSegment> backendFileSegments(const std::vector<MemoryTreeRange>& ranges,
                                             const MemoryBackend& backend) {
  std::vector<FileSegment> segments;
  for (const auto& range : rangesOfRegion(ranges, backend.id)) {
    // ROM-kind ranges of the backend are RAM that firmware write-protected: the
    // bytes are still in the file. ramd/romd (device-managed) are not plain RAM.
    if (range.kind != "ram" && range.kind != "rom") continue;
    segments.push_back({range.start, backend.fileOffset + range.offset, range.size()});
  }
  if (segments.empty()) {
    throw AnalysisError(
        "QEMU's memory map ('info mtree -f') shows no guest-physical range "
        "backed by memory backend '" +
        backend.id + "'; is it the machine's RAM (-machine memory-backend=" + backend.id + ")?");
  }
  return segments;
}

}  // namespace xnuscope
