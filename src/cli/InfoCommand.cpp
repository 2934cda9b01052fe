// `xnuscope info`: where the kernel is (base VA/PA, KASLR slide, DTB), which build
// it is (banner, UUID, build), and which independent facts proved it. Needs no
// profile; one given with --profile adds its symbols to the proof.
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"

namespace xnuscope::cli {
namespace {

class InfoCommand : public Command {
 public:
  std::string name() const override { return "info"; }
  std::string summary() const override {
    return "kernel base VA/PA, KASLR slide, DTB, banner, UUID, build, and the facts that prove "
           "them";
  }

  std::string usage() const override { return "info [--decoys]"; }
  void addOptions(boost::program_options::options_description& options) const override {
    options.add_options()("decoys", boost::program_options::bool_switch(),
                          "search all of RAM for banner copies (decoys); without it only "
                          "images of at most 1 GiB are searched");
  }

  int run(Session& session, const boost::program_options::variables_map& vm) override {
    const GlobalOptions& options = session.options();
    const bool searchDecoys = vm.count("decoys") != 0 && vm["decoys"].as<bool>();
    session.adjustTarget(
        [searchDecoys](engine::TargetOptions& target) { target.searchAllDecoys = searchDecoys; });
    // Needs no profile: it names the one that fits, and how it was chosen.
    const engine::TargetInfo target = session.target().info();
    const KernelInfo& info = target.kernel;
    std::vector<std::string> warnings = target.warnings;
    if (!info.decoysSearched) {
      warnings.insert(warnings.begin() + static_cast<std::ptrdiff_t>(info.warnings.size()),
                      "banner copies (decoys) " + info.decoyScan);
    }

    Report report;
    auto& doc = report.document;
    doc["kernel_base_va"] = hex(info.kernelBaseVa);
    doc["kernel_base_pa"] = hex(info.kernelBasePa);
    doc["kaslr_slide"] = hex(info.kaslrSlide);
    doc["dtb"] = hex(info.dtb);
    doc["dtb_source"] = info.dtbSource;
    doc["banner"] = info.banner;
    doc["uuid"] = info.uuid;
    doc["build"] = info.build;
    doc["darwin_version"] =
        std::to_string(info.versionMajor) + "." + std::to_string(info.versionMinor);
    doc["kernel_collection"] = info.isKernelCollection;
    doc["lowglo_pa"] = info.lowGlobalsPa ? nlohmann::ordered_json(hex(info.lowGlobalsPa)) : nullptr;
    doc["profile"] = target.profile ? nlohmann::ordered_json(*target.profile) : nullptr;
    doc["profile_source"] = target.profileOrigin.empty()
                                ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(target.profileOrigin);
    doc["profile_kind"] =
        target.profileSource
            ? nlohmann::ordered_json(std::string(engine::profileSourceName(*target.profileSource)))
            : nullptr;
    std::string proof = std::to_string(info.agreedFactCount()) + " of " +
                        std::to_string(info.facts.size()) + " facts agree";
    doc["proof"] = proof;
    auto facts = nlohmann::ordered_json::array();
    for (const auto& fact : info.facts) {
      facts.push_back({{"fact", fact.name}, {"agreed", fact.agreed}, {"detail", fact.detail}});
    }
    doc["facts"] = facts;
    auto decoys = nlohmann::ordered_json::array();
    for (const auto& decoy : info.decoys) {
      decoys.push_back({{"kind", decoy.kind}, {"pa", hex(decoy.pa)}, {"detail", decoy.detail}});
    }
    doc["decoys"] = decoys;
    auto segments = nlohmann::ordered_json::array();
    for (const auto& segment : info.segments) {
      segments.push_back({{"name", segment.name},
                          {"unslid_start", hex(segment.unslidStart)},
                          {"runtime_start", hex(segment.runtimeStart)},
                          {"size", hex(segment.size)},
                          {"pa", hex(segment.pa)}});
    }
    doc["segments"] = segments;
    doc["bytes_touched"] = info.bytesTouched;
    doc["decoy_scan"] = info.decoyScan;
    auto steps = nlohmann::ordered_json::array();
    for (const auto& step : target.steps) {
      steps.push_back({{"stage", step.stage}, {"ok", step.succeeded}, {"detail", step.detail}});
    }
    doc["resolution"] = steps;
    doc["warnings"] = warnings;
    session.emit(report);

    if (options.format == OutputFormat::Table) {
      auto& out = session.out();
      out << "facts:\n";
      for (const auto& fact : info.facts) {
        out << "  [" << (fact.agreed ? "agree" : "DISAGREE") << "] " << fact.name << ": "
            << fact.detail << '\n';
      }
      out << "resolution:\n";
      for (const auto& step : target.steps) {
        out << "  [" << (step.succeeded ? "ok" : "no") << "] " << step.stage << ": " << step.detail
            << '\n';
      }
      for (const auto& decoy : info.decoys) {
        out << "  [decoy] " << decoy.kind << " at " << hex(decoy.pa) << ": " << decoy.detail
            << '\n';
      }
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(InfoCommand);

}  // namespace
}  // namespace xnuscope::cli
