#include "cli/XnuContext.h"

#include "cli/KernelResolver.h"
#include "cli/Session.h"
#include "core/Error.h"

namespace xnuscope::cli {

XnuContext::XnuContext(Session& session) : physical_(session.physicalMemory()) {
  // Banner copies elsewhere in RAM (decoys) are reported by `info`; the walkers only
  // need the proven kernel, and scanning all of RAM for them dominates their run time.
  ResolvedKernel resolved = resolveKernel(session, {});
  for (const auto& warning : resolved.warnings) session.warn(warning);
  kernel_ = std::move(resolved.kernel);
  profile_ = std::move(*resolved.profile);
  layout_ = XnuLayout::fromProfile(profile_);
  translator_ = std::make_unique<X86_64Translator>(physical_, kernel_.dtb);
  kernelMemory_ = std::make_unique<VirtualMemory>(physical_, *translator_);
  xnu_ = std::make_unique<XnuKernel>(*kernelMemory_, layout_, kernel_);
}

}  // namespace xnuscope::cli
