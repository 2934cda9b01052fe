#include "engine/KernelCodeDeriver.h"

#include "derive/ProfileDeriver.h"

namespace xnuscope::engine {

std::optional<DerivedProfile> KernelCodeDeriver::derive(const DerivationInput& input,
                                                        std::string& whyNot) {
  derive::DerivationInputs inputs;
  inputs.physical = &input.physical;
  inputs.kernelMemory = &input.kernelMemory;
  inputs.kernel = &input.kernel;
  if (input.kernelFileSymbols && !input.kernelFileSymbols->empty()) {
    inputs.symbols = *input.kernelFileSymbols;
    inputs.symbolSource = "kernel file " + input.kernelFilePath;
  } else if (input.residentSymbols && !input.residentSymbols->empty()) {
    inputs.symbols = *input.residentSymbols;
    inputs.symbolSource = "resident LC_SYMTAB";
  }
  // Throws AnalysisError when not even the process list can be found; the
  // resolution records it as this deriver's reason.
  derive::DerivationResult derived = derive::deriveProfile(inputs);

  DerivedProfile result;
  std::string missing;
  for (const auto& name : derive::requiredDerivedFields()) {
    const auto* field = derived.report.find(name);
    if (field && field->derived()) continue;
    if (!missing.empty()) missing += "; ";
    missing += name + " (" + (field ? field->underivable : std::string("not reached")) + ")";
  }
  if (!missing.empty()) {
    std::string message =
        "derivation from the kernel in memory (symbols: " + derived.report.symbolSource +
        ") could not find " + missing +
        " [all underivable fields: " + derived.report.underivableSummary() + "]";
    if (inputs.symbols.empty()) {
      message +=
          "; with the guest's kernel file (--kernel /System/Library/Kernels/kernel) the "
          "accessors' code would tell";
    }
    if (!input.allowIncomplete) {
      whyNot = message;
      return std::nullopt;
    }
    result.warnings.push_back(message);
  }
  result.warnings.push_back(
      "derived the profile from the kernel in memory: " +
      std::to_string(derived.report.derivedCount()) +
      " fields from its code and data (symbols: " + derived.report.symbolSource + ")");
  result.profile = std::move(derived.profile);
  result.report = std::move(derived.report);
  return result;
}

}  // namespace xnuscope::engine
