// Where the test suite finds its inputs. Values are baked in by CMake and may be
// overridden by environment variables of the same name.
#pragma once

#include <string>

namespace xnuscope::test {

std::string sourceDir();     // XNUSCOPE_SOURCE_DIR
std::string binaryDir();     // XNUSCOPE_BINARY_DIR
std::string forgePath();     // XNUSCOPE_FORGE (fixtures/forge)
std::string realXnuDir();    // XNUSCOPE_REAL_XNU (../shared/real-xnu)
std::string fixtureCache();  // XNUSCOPE_FIXTURE_CACHE (~/.cache/xnuscope/fixtures)
std::string cliPath();       // XNUSCOPE_CLI (the built xnuscope binary)
std::string scratchDir();    // a fresh per-process temporary directory

}  // namespace xnuscope::test
