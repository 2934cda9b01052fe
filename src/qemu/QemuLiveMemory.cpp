#include "qemu/QemuLiveMemory.h"

#include <algorithm>
#include <cstring>

#include "core/Error.h"
#include "physmem/ByteSize.h"
#include "qemu/GuestFreeze.h"
#include "qemu/InfoRegistersParser.h"
#include "qemu/MemoryTreeParser.h"

namespace xnuscope {
namespace {

std::unique_ptr<QmpClient> connectQmp(const std::string& endpoint,
                                      std::chrono::milliseconds timeout) {
  if (endpoint.empty()) {
    throw InputError(
        "--qemu-mem needs --qmp SOCKET too: the RAM layout and CR3 come from QEMU "
        "(start QEMU with -qmp unix:/tmp/qmp.sock,server=on,wait=off)");
  }
  return std::make_unique<QmpClient>(endpoint, timeout);
}

MemoryBackend checkedBackend(QmpClient& qmp, const std::string& memPath) {
  return findMemoryBackend(qmp, memPath);
}

FileSegmentMap layoutOf(QmpClient& qmp, const MemoryBackend& backend,
                        const SharedFileMapping& file) {
  const auto tree = parseMemoryTreeRam(qmp.humanMonitorCommand("info mtree -f"));
  if (backend.size != 0 && file.size() < backend.size) {
    throw InputError("QEMU guest RAM file " + file.path() + " holds " + humanByteSize(file.size()) +
                     " but memory backend '" + backend.id + "' is " + humanByteSize(backend.size) +
                     "; is this file from another (older) VM?");
  }
  return FileSegmentMap(backendFileSegments(tree, backend), file.size(),
                        "QEMU guest RAM file " + file.path());
}

}  // namespace

QemuLiveMemory::QemuLiveMemory(const std::string& memPath, const std::string& qmpEndpoint,
                               std::chrono::milliseconds timeout)
    : qmp_(connectQmp(qmpEndpoint, timeout)),
      backend_(checkedBackend(*qmp_, memPath)),
      file_(memPath),
      segments_(layoutOf(*qmp_, backend_, file_)) {}

QemuLiveMemory::~QemuLiveMemory() { heldFreeze_.reset(); }

void QemuLiveMemory::holdFrozen(bool frozen) {
  if (frozen && !heldFreeze_) heldFreeze_ = std::make_unique<GuestFreeze>(*this);
  if (!frozen) heldFreeze_.reset();
}

// The segment holding `pa`, or nullptr. Segments are sorted and few (a handful of
// RAM ranges), so a linear scan beats anything cleverer.
const FileSegment* QemuLiveMemory::segmentAt(std::uint64_t pa) const {
  for (const auto& segment : segments_.segments()) {
    if (pa >= segment.pa && pa - segment.pa < segment.size) return &segment;
  }
  return nullptr;
}

std::size_t QemuLiveMemory::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const FileSegment* segment = segmentAt(pa + done);
    if (segment == nullptr) break;  // a hole: absent memory, never zero-filled
    const std::uint64_t inSegment = pa + done - segment->pa;
    const auto chunk = static_cast<std::size_t>(
        std::min<std::uint64_t>(out.size() - done, segment->size - inSegment));
    // The guest may be writing these bytes right now: a torn multi-byte value is
    // possible without --freeze, which is why walks verify their links.
    std::memcpy(out.data() + done, file_.data() + segment->fileOffset + inSegment, chunk);
    done += chunk;
  }
  return done;
}

std::optional<std::span<const std::uint8_t>> QemuLiveMemory::view(std::uint64_t pa,
                                                                  std::size_t length) const {
  const FileSegment* segment = segmentAt(pa);
  if (segment == nullptr || length > segment->size - (pa - segment->pa)) return std::nullopt;
  return std::span<const std::uint8_t>(file_.data() + segment->fileOffset + (pa - segment->pa),
                                       length);
}

std::string QemuLiveMemory::describe() const {
  std::string version;
  const auto& v = qmp_->version();
  if (v.contains("qemu") && v["qemu"].is_object()) {
    const auto& q = v["qemu"];
    const auto part = [&](const char* key) {
      return q.contains(key) && q[key].is_number_integer() ? std::to_string(q[key].get<long long>())
                                                           : std::string("?");
    };
    version = " (QEMU " + part("major") + "." + part("minor") + "." + part("micro") + ")";
  }
  return "QEMU live " + file_.path() + " via QMP " + qmp_->endpoint() + version + ", backend '" +
         backend_.id + "', " + std::to_string(ranges().size()) + " ranges, " +
         humanByteSize(backedBytes());
}

std::vector<CpuState> QemuLiveMemory::cpus() const {
  std::lock_guard lock(qmpMutex_);
  return parseInfoRegistersCr3(qmp_->humanMonitorCommand("info registers -a"));
}

}  // namespace xnuscope
