// `xnuscope profile import|...`: make, inspect and convert profiles.
//   profile import --vol2 ZIP [--banner TEXT] [--name NAME] -o DIR [--symbols-dir DIR]
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "output/Report.h"
#include "profile/ImportedProfile.h"
#include "profile/ProfileOutputs.h"
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
    return "profiles: import (Volatility 2 zip) into xnu_profiles/ and symbols/";
  }
  std::string usage() const override {
    return "profile import --vol2 ZIP [--banner TEXT] [--name NAME] -o DIR [--symbols-dir DIR]";
  }
  std::string positionalName() const override { return "profile-args"; }

  void addOptions(po::options_description& options) const override {
    options.add_options()("vol2", po::value<std::string>()->value_name("ZIP"),
                          "import: a Volatility 2 mac profile zip")(
        "banner", po::value<std::string>()->value_name("TEXT"),
        "import: the build's kernel banner (Vol2 zips carry none)")(
        "name", po::value<std::string>()->value_name("NAME"),
        "import: profile name (default: from the input file name)")(
        "output,o", po::value<std::string>()->value_name("DIR"),
        "import: directory for the native profile JSON")(
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
    if (sub == "import") return runImport(session, vm);
    throw InputError("unknown profile subcommand '" + sub + "'; use import");
  }

 private:
  int runImport(Session& session, const po::variables_map& vm) {
    const std::string outputDir = optionText(vm, "output");
    if (outputDir.empty()) throw InputError("profile import needs -o DIR for the profile JSON");
    ImportedProfile imported;
    if (vm.count("vol2")) {
      imported = importVol2Profile(optionText(vm, "vol2"),
                                   {optionText(vm, "banner"), optionText(vm, "name")});
    } else {
      throw InputError("profile import needs an input: --vol2 ZIP");
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
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(ProfileCommand);

}  // namespace
}  // namespace xnuscope::cli
