// xnuscope command-line entry point: parse, dispatch, map errors to exit codes
// (0 ok, 1 analysis failed, 2 usage error or unreadable input).
#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/CommandLine.h"
#include "cli/MappedFileFault.h"
#include "cli/Session.h"
#include "core/Error.h"

namespace {

constexpr const char* kVersion = "xnuscope 0.1.0";

int run(int argc, char** argv) {
  using namespace xnuscope;
  const std::vector<std::string> args(argv + 1, argv + argc);
  cli::reportMappedFileFaults();
  try {
    cli::ParsedCommandLine parsed = cli::parseCommandLine(args);
    if (parsed.version) {
      std::cout << kVersion << '\n';
      return 0;
    }
    if (parsed.help || !parsed.command) {
      std::cout << (parsed.command ? cli::commandHelp(*parsed.command) : cli::generalHelp());
      return parsed.help ? 0 : 2;
    }
    cli::Session session(parsed.global, std::cout, std::cerr);
    return parsed.command->run(session, parsed.vm);
  } catch (const InputError& error) {
    std::cerr << "xnuscope: " << error.what() << '\n';
    return 2;
  } catch (const AnalysisError& error) {
    std::cerr << "xnuscope: " << error.what() << '\n';
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "xnuscope: out of memory\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "xnuscope: internal error: " << error.what() << '\n';
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the command opened (images, QEMU connections, a paused guest) is
  // closed inside run(), by its owners' destructors.
  const int status = run(argc, argv);
  std::cout.flush();
  std::cerr.flush();
#if XNUSCOPE_SKIP_STATIC_DESTRUCTORS
  // What is left are static tables (LIEF's enum and ordinal maps: 15k nodes) whose
  // destructors only free memory the exiting process returns anyway; they were a
  // tenth of a short command's run time. Sanitizer builds exit normally.
  if (std::cout.good() && std::cerr.good()) std::_Exit(status);
#endif
  return status;
}
