#include "xnu/StableProcessList.h"

#include "core/Hex.h"

namespace xnuscope {
namespace {

bool sameProcesses(const ProcessListing& a, const ProcessListing& b) {
  if (a.processes.size() != b.processes.size()) return false;
  for (std::size_t i = 0; i < a.processes.size(); ++i) {
    const auto& x = a.processes[i];
    const auto& y = b.processes[i];
    if (x.address != y.address || x.pid != y.pid || x.startSeconds != y.startSeconds ||
        x.startMicroseconds != y.startMicroseconds || x.source != y.source) {
      return false;
    }
  }
  return true;
}

}  // namespace

StableProcessReader::StableProcessReader(const XnuKernel& kernel, int maxAttempts)
    : kernel_(kernel), maxAttempts_(maxAttempts < 1 ? 1 : maxAttempts) {}

std::optional<std::string> StableProcessReader::brokenBackLink(
    const ProcessListing& listing) const {
  const auto head = kernel_.runtime(kernel_.layout().symAllproc);
  if (!head) return std::nullopt;
  const std::uint64_t linkOffset = kernel_.layout().procListNext;
  std::uint64_t expectedPrev = *head;  // LIST_HEAD: lh_first is at the head itself
  for (const auto& process : listing.processes) {
    if (process.source != ProcSource::Allproc) break;  // allproc rows come first, in order
    const auto prev = kernel_.memory().readPointer(process.address + linkOffset + 8);
    if (!prev || *prev != expectedPrev) {
      return "allproc: proc " + hex(process.address) + " (pid " + std::to_string(process.pid) +
             ") has le_prev " + (prev ? hex(*prev) : std::string("unreadable")) + ", expected " +
             hex(expectedPrev);
    }
    expectedPrev = process.address + linkOffset;
  }
  return std::nullopt;
}

StableProcessList StableProcessReader::read() const {
  StableProcessList result;
  const ProcWalker walker(kernel_);
  std::string lastRace;
  for (int attempt = 1; attempt <= maxAttempts_; ++attempt) {
    result.attempts = attempt;
    kernel_.memory().translator().clearCache();
    ProcessListing first = walker.walk();
    if (auto broken = brokenBackLink(first)) {
      lastRace = *broken;
      continue;
    }
    kernel_.memory().translator().clearCache();
    const ProcessListing second = walker.walk();
    if (!sameProcesses(first, second)) {
      lastRace = "allproc changed between two consecutive walks";
      continue;
    }
    result.listing = std::move(first);
    result.consistent = true;
    return result;
  }
  // Every attempt raced the guest: report the last walk, marked as such.
  result.listing = walker.walk();
  result.listing.status.incomplete("process list kept changing during " +
                                   std::to_string(maxAttempts_) + " walks (" + lastRace +
                                   "); retry, or use --freeze to stop the guest while reading");
  return result;
}

}  // namespace xnuscope
