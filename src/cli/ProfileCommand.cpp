// `xnuscope profile list|show|import|export`: find, inspect, make and convert profiles.
//   profile list                       profiles --profile auto chooses from
//   profile show NAME|PATH             identity, symbols and struct sizes of one profile
//   profile import --vol2 ZIP|--isf FILE [--banner TEXT] [--name NAME] -o DIR [--symbols-dir DIR]
//   profile export NAME|PATH --isf-out OUT  Volatility 3 ISF of a profile
//   profile generate --dsym KERNEL.dSYM [--kernel KERNEL] [--name NAME] [--banner TEXT] -o DIR
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "derive/ProfileDeriver.h"
#include "output/Report.h"
#include "profile/DwarfProfileGenerator.h"
#include "profile/ImportedProfile.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileOutputs.h"
#include "profile/ProfileRepository.h"
#include "profile/Vol2ProfileImporter.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;

std::string optionText(const po::variables_map& vm, const std::string& name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

class ProfileCommand : public Command {
 public:
  std::string name() const override { return "profile"; }
  std::string summary() const override {
    return "profiles: list, show, generate (KDK dSYM), import (Volatility 2 zip, Volatility 3 "
           "ISF), export to ISF";
  }
  std::string usage() const override {
    return "profile list | show NAME|PATH | derive -o DIR | import --vol2 ZIP|--isf FILE [--banner "
           "TEXT] "
           "[--name NAME] -o DIR [--symbols-dir DIR] | export NAME|PATH --isf-out FILE | generate "
           "--dsym KERNEL.dSYM [--kernel KERNEL] -o DIR [--symbols-dir DIR]";
  }
  std::string positionalName() const override { return "profile-args"; }

  void addOptions(po::options_description& options) const override {
    options.add_options()("vol2", po::value<std::string>()->value_name("ZIP"),
                          "import: a Volatility 2 mac profile zip")(
        "isf", po::value<std::string>()->value_name("FILE"),
        "import: a Volatility 3 ISF (.json, .json.xz, .json.gz)")(
        "dsym", po::value<std::string>()->value_name("DSYM"),
        "generate: the kernel's .dSYM bundle (from its Kernel Debug Kit)")(
        "isf-out", po::value<std::string>()->value_name("FILE"),
        "export: where to write the Volatility 3 ISF")(
        "banner", po::value<std::string>()->value_name("TEXT"),
        "import: the build's kernel banner (Vol2 zips carry none)")(
        "name", po::value<std::string>()->value_name("NAME"),
        "import: profile name (default: from the input file name)")(
        "output,o", po::value<std::string>()->value_name("DIR"),
        "import, derive: directory for the native profile JSON")(
        "symbols-dir", po::value<std::string>()->value_name("DIR"),
        "import: directory for the full symbol table (<name>.txt.xz)");
  }

  int run(Session& session, const po::variables_map& vm) override {
    const auto args = vm.count("profile-args") ? vm["profile-args"].as<std::vector<std::string>>()
                                               : std::vector<std::string>{};
    if (args.empty()) {
      throw InputError("profile needs a subcommand: import (see xnuscope profile --help)");
    }
    const std::string& sub = args.front();
    if (sub == "import" || sub == "generate") return runImport(session, vm, sub == "generate");
    if (sub == "list") return runList(session);
    if (sub == "derive") return runDerive(session, vm);
    if (sub == "show" || sub == "export") {
      if (args.size() != 2) throw InputError("profile " + sub + " needs one NAME or PATH");
      const Profile profile = resolve(args[1]);
      return sub == "show" ? runShow(session, profile) : runExport(session, vm, profile);
    }
    throw InputError("unknown profile subcommand '" + sub +
                     "'; use list, show, generate, import, export or derive");
  }

 private:
  // A profile named in the repository, else a file of any supported format.
  static Profile resolve(const std::string& nameOrPath) {
    const ProfileRepository repository(ProfileRepository::defaultDirectories());
    if (const auto* entry = repository.find(nameOrPath)) return ProfileRepository::load(*entry);
    return loadProfileFile(nameOrPath);
  }

  int runList(Session& session) {
    const ProfileRepository repository(ProfileRepository::defaultDirectories());
    for (const auto& warning : repository.warnings()) session.warn(warning);
    Report report;
    report.rowsKey = "profiles";
    report.columns = {{"name", "NAME"},
                      {"build", "BUILD"},
                      {"xnu", "XNU"},
                      {"layout_source", "LAYOUT"},
                      {"path", "PATH"}};
    auto rows = nlohmann::ordered_json::array();
    for (const auto& entry : repository.entries()) {
      // Listing checks each profile in full (selection parses only the one it picks).
      try {
        ProfileRepository::load(entry);
      } catch (const InputError& error) {
        session.warn(std::string("skipped: ") + error.what());
        continue;
      }
      const ProfileIdentity& profile = entry.identity;
      rows.push_back({{"name", profile.name},
                      {"macos", profile.macos},
                      {"build", profile.build},
                      {"xnu", profile.xnu},
                      {"uuid", profile.uuid ? nlohmann::ordered_json(*profile.uuid)
                                            : nlohmann::ordered_json(nullptr)},
                      {"layout_source", profile.layoutSource},
                      {"banner", profile.banner},
                      {"path", entry.path}});
    }
    report.document["directories"] = repository.directories();
    report.document["profiles"] = rows;
    session.emit(report);
    return 0;
  }

  int runShow(Session& session, const Profile& profile) {
    Report report;
    auto& doc = report.document;
    doc["name"] = profile.name;
    doc["macos"] = profile.macos;
    doc["build"] = profile.build;
    doc["xnu"] = profile.xnu;
    doc["arch"] = profile.arch;
    doc["banner"] = profile.banner;
    doc["uuid"] =
        profile.uuid ? nlohmann::ordered_json(*profile.uuid) : nlohmann::ordered_json(nullptr);
    doc["layout_source"] = profile.layoutSource;
    doc["source"] = profile.provenance.source;
    doc["sha256"] = profile.provenance.sha256;
    doc["tool"] = profile.provenance.tool;
    doc["struct_count"] = profile.structs.size();
    doc["symbol_count"] = profile.symbols.size();
    // Members, types and symbols left out at import as unrepresentable.
    doc["dropped_count"] = profile.dropped.size();
    auto dropped = nlohmann::ordered_json::object();
    for (const auto& [key, reason] : profile.dropped) dropped[key] = reason;
    auto sizes = nlohmann::ordered_json::object();
    for (const auto& [name, layout] : profile.structs) sizes[name] = hex(layout.size);
    auto symbols = nlohmann::ordered_json::object();
    for (const auto& [name, address] : profile.symbols) symbols[name] = hex(address);
    if (session.options().format == OutputFormat::Json) {
      doc["struct_sizes"] = sizes;
      doc["symbols"] = symbols;
      doc["dropped"] = dropped;
    } else {
      for (const auto& [key, reason] : profile.dropped)
        session.warn("dropped " + key + ": " + reason);
    }
    session.emit(report);
    return 0;
  }

  int runExport(Session& session, const po::variables_map& vm, const Profile& profile) {
    const std::string out = optionText(vm, "isf-out");
    if (out.empty()) throw InputError("profile export needs --isf-out FILE");
    writeWholeFile(out, exportIsf(profile));
    Report report;
    report.document["profile"] = profile.name;
    report.document["isf"] = out;
    session.emit(report);
    return 0;
  }

  // The profile derived from the kernel in memory, as a native profile whose
  // "derivation" member carries each field's evidence (or why it is missing).
  int runDerive(Session& session, const po::variables_map& vm) {
    const std::string outputDir = optionText(vm, "output");
    if (outputDir.empty()) throw InputError("profile derive needs -o DIR for the profile JSON");
    session.adjustTarget([](engine::TargetOptions& target) {
      target.profile = "derive";
      target.allowIncompleteDerivation = true;  // write what was found, with the reasons
    });
    const engine::Resolution& resolved = session.target().resolution();
    for (const auto& warning : resolved.warnings) session.warn(warning);
    if (!resolved.profile || !resolved.derivation) throw AnalysisError(resolved.whyNoProfile);
    const derive::DerivationReport& derivation = *resolved.derivation;
    auto doc = nlohmann::ordered_json::parse(writeNativeProfile(*resolved.profile));
    auto fields = nlohmann::ordered_json::array();
    for (const auto& field : derivation.fields) {
      nlohmann::ordered_json f;
      f["field"] = field.name;
      f["derived"] = field.derived();
      if (field.value) f["value"] = hexText(*field.value);
      if (field.bitStart) f["bits"] = {*field.bitStart, *field.bitCount};
      f["evidence"] = field.evidence;
      if (!field.derived()) f["underivable"] = field.underivable;
      fields.push_back(f);
    }
    doc["derivation"] = {{"symbols", derivation.symbolSource},
                         {"milliseconds", derivation.milliseconds},
                         {"fields", fields}};
    std::filesystem::create_directories(outputDir);
    const std::string path =
        (std::filesystem::path(outputDir) / (resolved.profile->name + ".json")).string();
    writeWholeFile(path, doc.dump(1) + "\n");
    Report report;
    report.document["profile"] = resolved.profile->name;
    report.document["path"] = path;
    report.document["layout_source"] = resolved.profile->layoutSource;
    report.document["derived_fields"] = derivation.derivedCount();
    report.document["underivable"] = derivation.underivableSummary();
    report.document["milliseconds"] = derivation.milliseconds;
    std::size_t missingRequired = 0;
    for (const auto& name : derive::requiredDerivedFields()) {
      const auto* field = derivation.find(name);
      missingRequired += field && field->derived() ? 0 : 1;
    }
    report.document["complete"] = missingRequired == 0;
    session.emit(report);
    return missingRequired == 0 ? 0 : 1;  // incomplete: written, but the walkers cannot use it
  }

  static std::string hexText(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  int runImport(Session& session, const po::variables_map& vm, bool generate) {
    const std::string outputDir = optionText(vm, "output");
    if (outputDir.empty()) throw InputError("profile import needs -o DIR for the profile JSON");
    ImportedProfile imported;
    if (generate) {
      if (!vm.count("dsym")) throw InputError("profile generate needs --dsym KERNEL.dSYM");
      imported = generateProfileFromDwarf(optionText(vm, "dsym"), session.options().kernel,
                                          {optionText(vm, "name"), optionText(vm, "banner")});
    } else if (vm.count("vol2")) {
      imported = importVol2Profile(optionText(vm, "vol2"),
                                   {optionText(vm, "banner"), optionText(vm, "name")});
    } else if (vm.count("isf")) {
      imported = importIsfProfile(optionText(vm, "isf"));
      if (vm.count("name")) imported.profile.name = optionText(vm, "name");
      if (vm.count("banner")) imported.profile.banner = optionText(vm, "banner");
    } else {
      throw InputError("profile import needs an input: --vol2 ZIP or --isf FILE");
    }
    for (const auto& warning : imported.warnings) session.warn(warning);
    const WrittenProfile written =
        writeProfileOutputs(imported, outputDir, optionText(vm, "symbols-dir"));
    Report report;
    report.document["profile"] = imported.profile.name;
    report.document["path"] = written.profilePath;
    report.document["symbols_path"] = written.symbolsPath;
    report.document["structs"] = imported.profile.structs.size();
    report.document["symbols"] = imported.symbolTable.size();
    report.document["skipped_members"] = imported.warnings.size();
    report.document["dropped"] = imported.profile.dropped.size();
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(ProfileCommand);

}  // namespace
}  // namespace xnuscope::cli
