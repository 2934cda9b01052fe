// Processes and memory maps from the kernel's own structures: ProcWalker (allproc,
// zombproc, the task queue) and VmMapWalker, through a located XnuKernel.
#pragma once

#include "engine/ProcessSource.h"
#include "xnu/XnuKernel.h"

namespace xnuscope::engine {

class KernelProcessSource : public ProcessSource {
 public:
  // `kernel` must outlive this object. `source`: how its layout was obtained.
  KernelProcessSource(const XnuKernel& kernel, ProfileSource source)
      : kernel_(kernel), source_(source) {}

  ProfileSource source() const override { return source_; }
  ProcessList processes() const override;
  MapList maps(std::int32_t pid) const override;

 private:
  const XnuKernel& kernel_;
  ProfileSource source_;
};

}  // namespace xnuscope::engine
