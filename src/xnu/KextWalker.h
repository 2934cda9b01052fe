// Lists loaded kernel extensions two ways and reconciles them: the kmod_info
// chain from `_kmod` (next pointers, packed 4-byte struct) and the array behind
// `gLoadedKextSummaries` (OSKextLoadedKextSummaryHeader: version, entry_size,
// numSummaries, then entries). Both are bounded and cycle-checked.
#pragma once

#include <cstddef>
#include <vector>

#include "xnu/KextRecord.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct KextListing {
  std::vector<KextRecord> kexts;  // kmod list order, then summary-only entries
  WalkStatus status;
};

class KextWalker {
 public:
  static constexpr std::size_t kMaxKexts = 10000;

  explicit KextWalker(const XnuKernel& kernel) : kernel_(kernel) {}
  KextListing walk() const;

 private:
  void walkKmodList(KextListing& listing) const;
  void walkSummaries(KextListing& listing) const;

  const XnuKernel& kernel_;
};

}  // namespace xnuscope
