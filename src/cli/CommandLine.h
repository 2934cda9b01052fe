// Parses argv into global options, the chosen command and its options. Options may
// stand before or after the command word (`xnuscope --image X pslist --format json`
// == `xnuscope pslist --image X --format json`).
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "cli/Command.h"
#include "cli/GlobalOptions.h"

namespace xnuscope::cli {

struct ParsedCommandLine {
  GlobalOptions global;
  Command* command = nullptr;  // null with --help/--version alone
  boost::program_options::variables_map vm;
  bool help = false;
  bool version = false;
};

// Throws InputError with a usage message on bad input.
ParsedCommandLine parseCommandLine(const std::vector<std::string>& args);

boost::program_options::options_description globalOptionsDescription();
std::string generalHelp();
std::string commandHelp(const Command& command);

}  // namespace xnuscope::cli
