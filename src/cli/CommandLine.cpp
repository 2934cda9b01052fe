#include "cli/CommandLine.h"

#include <set>
#include <sstream>

#include "core/Error.h"
#include "core/Hex.h"

namespace po = boost::program_options;

namespace xnuscope::cli {
namespace {

po::options_description commandOptionsDescription(const Command& command) {
  po::options_description options(command.name() + " options");
  command.addOptions(options);
  return options;
}

// Names ("--image", "-o") of every option, global or command-specific, that takes
// a value, so the command word can be told apart from an option's value.
std::set<std::string> optionsTakingValues() {
  std::set<std::string> names;
  auto collect = [&](const po::options_description& description) {
    for (const auto& option : description.options()) {
      if (option->semantic()->max_tokens() == 0) continue;
      names.insert("--" + option->long_name());
      const std::string shortName =
          option->canonical_display_name(po::command_line_style::allow_dash_for_short);
      if (shortName.size() == 2 && shortName[0] == '-') names.insert(shortName);
    }
  };
  collect(globalOptionsDescription());
  for (const auto& command : CommandRegistry::instance().all()) {
    collect(commandOptionsDescription(*command));
  }
  return names;
}

std::string commandList() {
  std::string text;
  for (const auto& command : CommandRegistry::instance().all()) {
    if (!text.empty()) text += ", ";
    text += command->name();
  }
  return text;
}

}  // namespace

po::options_description globalOptionsDescription() {
  po::options_description options("Global options");
  options.add_options()(
      "image", po::value<std::string>()->value_name("PATH"),
      "guest physical memory snapshot: raw, QEMU ELF core or LiME (detected by content)")(
      "qemu-mem", po::value<std::string>()->value_name("PATH"),
      "live QEMU guest RAM (memory-backend-file, e.g. /dev/shm/macos)")(
      "qmp", po::value<std::string>()->value_name("SOCKET"),
      "QEMU QMP socket: unix path or tcp:HOST:PORT")(
      "profile", po::value<std::string>()->value_name("PATH|auto")->default_value("auto"),
      "kernel profile file, or auto to match the kernel in memory by UUID, then banner")(
      "kernel", po::value<std::string>()->value_name("PATH"),
      "the guest's kernel file (symbols when no profile exists)")(
      "dtb", po::value<std::string>()->value_name("ADDR"),
      "physical address of the kernel page table root (skip DTB discovery)")(
      "format", po::value<std::string>()->value_name("table|json|csv")->default_value("table"),
      "output format")("quiet,q", "no progress bar and no warnings on stderr")(
      "force", "use the given profile even when it does not match the kernel")(
      "freeze", "live: stop the guest (QMP stop/cont) around each read")(
      "beacon-session", po::value<std::string>()->value_name("ID"),
      "beacon fallback: use this companion session instead of the newest")(
      "help,h", "show help (for a command: xnuscope COMMAND --help)")("version",
                                                                      "print the version");
  return options;
}

std::string generalHelp() {
  std::ostringstream out;
  out << "xnuscope: look inside a macOS (XNU) guest from its physical memory.\n\n"
      << "Usage: xnuscope [--image PATH | --qemu-mem PATH --qmp SOCKET] [--profile PATH|auto]\n"
      << "                [--kernel PATH] [--dtb ADDR] [--format table|json|csv] COMMAND [ARGS]\n\n"
      << "Commands:\n";
  for (const auto& command : CommandRegistry::instance().all()) {
    std::string name = command->name();
    name.resize(std::max<std::size_t>(name.size(), 12), ' ');
    out << "  " << name << "  " << command->summary() << '\n';
  }
  out << '\n'
      << globalOptionsDescription() << '\n'
      << "Exit codes: 0 ok, 1 analysis failed, 2 usage error or unreadable input.\n";
  return out.str();
}

std::string commandHelp(const Command& command) {
  std::ostringstream out;
  out << "Usage: xnuscope [global options] " << command.usage() << "\n\n"
      << command.summary() << "\n\n";
  po::options_description options = commandOptionsDescription(command);
  if (!options.options().empty()) out << options << '\n';
  out << globalOptionsDescription();
  return out.str();
}

ParsedCommandLine parseCommandLine(const std::vector<std::string>& args) {
  ParsedCommandLine parsed;
  const std::set<std::string> withValue = optionsTakingValues();

  // Find the command word: the first token that is neither an option nor an
  // option's value.
  std::vector<std::string> rest;
  std::vector<std::string> positionals;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (token == "--") {
      for (++i; i < args.size(); ++i) positionals.push_back(args[i]);
      break;
    }
    if (token.size() > 1 && token[0] == '-') {
      rest.push_back(token);
      const std::string name = token.substr(0, token.find('='));
      if (token.find('=') == std::string::npos && withValue.count(name) && i + 1 < args.size()) {
        rest.push_back(args[++i]);
      }
      continue;
    }
    if (!parsed.command) {
      parsed.command = CommandRegistry::instance().find(token);
      if (!parsed.command) {
        throw InputError("unknown command '" + token + "'; commands: " + commandList() +
                         " (see xnuscope --help)");
      }
      continue;
    }
    positionals.push_back(token);
  }

  po::options_description all = globalOptionsDescription();
  if (parsed.command) all.add(commandOptionsDescription(*parsed.command));
  po::positional_options_description positionalSpec;
  if (parsed.command && !parsed.command->positionalName().empty()) {
    all.add_options()(parsed.command->positionalName().c_str(),
                      po::value<std::vector<std::string>>(), "");
    positionalSpec.add(parsed.command->positionalName().c_str(), -1);
  } else if (!positionals.empty()) {
    throw InputError("unexpected argument '" + positionals.front() + "'" +
                     (parsed.command ? " for command '" + parsed.command->name() + "'" : "") +
                     " (see xnuscope --help)");
  }
  std::vector<std::string> toParse = rest;
  toParse.insert(toParse.end(), positionals.begin(), positionals.end());
  try {
    po::store(po::command_line_parser(toParse).options(all).positional(positionalSpec).run(),
              parsed.vm);
    po::notify(parsed.vm);
  } catch (const po::error& error) {
    throw InputError(std::string(error.what()) + " (see xnuscope " +
                     (parsed.command ? parsed.command->name() + " " : "") + "--help)");
  }

  const auto& vm = parsed.vm;
  GlobalOptions& global = parsed.global;
  parsed.help = vm.count("help") > 0;
  parsed.version = vm.count("version") > 0;
  if (vm.count("image")) global.image = vm["image"].as<std::string>();
  if (vm.count("qemu-mem")) global.qemuMem = vm["qemu-mem"].as<std::string>();
  if (vm.count("qmp")) global.qmp = vm["qmp"].as<std::string>();
  global.profile = vm["profile"].as<std::string>();
  if (vm.count("kernel")) global.kernel = vm["kernel"].as<std::string>();
  if (vm.count("dtb")) {
    const auto value = parseNumber(vm["dtb"].as<std::string>());
    if (!value) throw InputError("--dtb needs a physical address like 0x1a3f000");
    global.dtb = *value;
  }
  const std::string formatName = vm["format"].as<std::string>();
  const auto format = parseOutputFormat(formatName);
  if (!format) throw InputError("--format must be table, json or csv (got '" + formatName + "')");
  global.format = *format;
  global.quiet = vm.count("quiet") > 0;
  global.force = vm.count("force") > 0;
  global.freeze = vm.count("freeze") > 0;
  if (vm.count("beacon-session")) {
    const auto value = parseNumber(vm["beacon-session"].as<std::string>());
    if (!value || *value > UINT32_MAX) {
      throw InputError("--beacon-session needs a session id (a number, see xnuscope beacons)");
    }
    global.beaconSession = static_cast<std::uint32_t>(*value);
  }
  if (!global.image.empty() && !global.qemuMem.empty()) {
    throw InputError("give either --image or --qemu-mem, not both");
  }
  return parsed;
}

}  // namespace xnuscope::cli
