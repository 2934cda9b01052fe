// A process list read from memory that may change while we read it (a running VM).
// A walk racing the kernel can follow a half-inserted proc or miss one being
// removed; that must yield either a consistent list or a clear "try again", never
// a mix. Two checks, repeated a bounded number of times:
//   1. the back-links agree with the forward walk: every proc on allproc has
//      p_list.le_prev == &(its predecessor's p_list.le_next) (or &allproc for the
//      first) — a LIST_INSERT_HEAD/LIST_REMOVE caught half-way breaks this;
//   2. a second walk right after sees the same processes in the same order.
// A stopped guest (--freeze) passes on the first attempt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xnu/ProcWalker.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct StableProcessList {
  ProcessListing listing;
  bool consistent = false;  // false: every attempt raced a change (see listing.status)
  int attempts = 0;
};

class StableProcessReader {
 public:
  static constexpr int kDefaultAttempts = 5;

  // `kernel` must outlive the reader. Before each walk the kernel translator's
  // cache is dropped: a live guest's page tables change too.
  explicit StableProcessReader(const XnuKernel& kernel, int maxAttempts = kDefaultAttempts);

  StableProcessList read() const;

  // Check 1 alone: the first link on allproc that does not point back where it
  // should, described; nullopt when all agree (or the profile has no _allproc).
  std::optional<std::string> brokenBackLink(const ProcessListing& listing) const;

 private:
  const XnuKernel& kernel_;
  int maxAttempts_;
};

}  // namespace xnuscope
