// The hook between "no exact profile" and "beacons": a strategy that builds the
// struct layout from the located kernel itself (accessor code, symbol tables,
// known data). The engine asks each configured deriver in turn after exact
// selection failed (or at once, with profile "derive"), and records every answer
// in the resolution steps. The built-in one is KernelCodeDeriver (src/derive);
// callers may add their own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "derive/DerivationReport.h"
#include "kernel/KernelInfo.h"
#include "mmu/VirtualMemory.h"
#include "physmem/PhysicalMemory.h"
#include "profile/Profile.h"

namespace xnuscope::engine {

// What a deriver may read: the guest, and the kernel as located and proven
// without a profile.
struct DerivationInput {
  const PhysicalMemory& physical;
  const KernelInfo& kernel;
  // The kernel's virtual memory, through kernel.dtb.
  const VirtualMemory& kernelMemory;
  // Unslid symbols of the kernel file given with the Target (--kernel), else null.
  const std::map<std::string, std::uint64_t>* kernelFileSymbols = nullptr;
  std::string kernelFilePath{};
  // Unslid symbols the kernel image itself still holds (its resident LC_SYMTAB,
  // as the profile-free location read it); may be empty.
  const std::map<std::string, std::uint64_t>* residentSymbols = nullptr;
  // Keep a profile that lacks fields the walkers need (with a warning) instead of
  // refusing it: `profile derive` writes what was found.
  bool allowIncomplete = false;
};

struct DerivedProfile {
  Profile profile;
  std::vector<std::string> warnings{};               // shown with the resolution's
  std::optional<derive::DerivationReport> report{};  // per-field evidence, when kept
};

class ProfileDeriver {
 public:
  virtual ~ProfileDeriver() = default;

  // Short name for the resolution steps, e.g. "kernel code and data".
  virtual std::string name() const = 0;

  // A profile for the located kernel, or nullopt with `whyNot` set to what was
  // missing. Must not throw for bad guest data; an AnalysisError is recorded as a
  // failed step like nullopt.
  virtual std::optional<DerivedProfile> derive(const DerivationInput& input,
                                               std::string& whyNot) = 0;
};

}  // namespace xnuscope::engine
