// deriveProfile: a Profile for a kernel no profile names, derived from the kernel
// in memory. Offsets come from the code of its accessor functions (AccessorFacts)
// and from invariants of its live data (kernproc is pid 0 "kernel_task", allproc
// closes on kernproc, proc <-> task back pointers agree, map entries are sorted,
// page aligned and circular through the header, prot is a subset of maxprot and
// matches the page tables...). Each field carries every independent fact found;
// a field that cannot be derived is left out and named with its reason.
//
// This is the one entry point the resolver calls, so the derived source can be
// plugged into any resolution chain.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "derive/DerivationReport.h"
#include "kernel/KernelInfo.h"
#include "mmu/VirtualMemory.h"
#include "physmem/PhysicalMemory.h"
#include "profile/Profile.h"

namespace xnuscope::derive {

struct DerivationInputs {
  const PhysicalMemory* physical = nullptr;
  const VirtualMemory* kernelMemory = nullptr;  // through the kernel's DTB
  const KernelInfo* kernel = nullptr;
  // Unslid symbols (Mach-O names) and where they came from; may be empty.
  std::map<std::string, std::uint64_t> symbols;
  std::string symbolSource;
};

struct DerivationResult {
  Profile profile;
  DerivationReport report;
};

// Throws AnalysisError when not even the process list can be found (no symbols
// and no data candidate for kernproc/allproc). Individual fields that cannot be
// derived are reported, not thrown.
DerivationResult deriveProfile(const DerivationInputs& inputs);

// The fields the process and memory walkers cannot do without; the resolver
// refuses a derived profile that lacks one of them, naming it and its reason.
const std::vector<std::string>& requiredDerivedFields();

}  // namespace xnuscope::derive
