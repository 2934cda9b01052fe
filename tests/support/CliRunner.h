// Runs the built xnuscope binary as a user would and captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace xnuscope::test {

struct CliResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

// Runs `xnuscope args...` (no shell), waits at most `timeoutSeconds`.
CliResult runCli(const std::vector<std::string>& args, int timeoutSeconds = 120);

}  // namespace xnuscope::test
