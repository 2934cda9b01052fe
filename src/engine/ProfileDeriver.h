// The hook between "no exact profile" and "beacons": a strategy that builds the
// struct layout from the located kernel itself (accessor code, symbol tables,
// known data). The engine asks each configured deriver in turn after exact
// selection failed, and records every answer in the resolution steps. The
// derivation itself lives outside the engine (src/derive); the engine only knows
// this interface.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

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
};

class ProfileDeriver {
 public:
  virtual ~ProfileDeriver() = default;

  // Short name for the resolution steps, e.g. "accessor code".
  virtual std::string name() const = 0;

  // A profile for the located kernel, or nullopt with `whyNot` set to what was
  // missing. Must not throw for bad guest data; an AnalysisError is recorded as a
  // failed step like nullopt.
  virtual std::optional<Profile> derive(const DerivationInput& input, std::string& whyNot) = 0;
};

}  // namespace xnuscope::engine
