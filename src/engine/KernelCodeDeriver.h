// The built-in ProfileDeriver: derive::deriveProfile over the located kernel, with
// the symbols of the --kernel file (UUID-checked by the resolution) or else the
// kernel's resident LC_SYMTAB, or none (data invariants only). A profile that
// lacks a field the process and memory walkers need is refused, naming each such
// field and why it could not be derived, unless the input allows incomplete ones.
#pragma once

#include "engine/ProfileDeriver.h"

namespace xnuscope::engine {

class KernelCodeDeriver : public ProfileDeriver {
 public:
  std::string name() const override { return "kernel code and data"; }
  std::optional<DerivedProfile> derive(const DerivationInput& input, std::string& whyNot) override;
};

}  // namespace xnuscope::engine
