#include "support/TestPaths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace xnuscope::test {
namespace {
std::string fromEnv(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return (value && *value) ? value : fallback;
}
}  // namespace

std::string sourceDir() { return fromEnv("XNUSCOPE_SOURCE_DIR", XNUSCOPE_SOURCE_DIR); }
std::string binaryDir() { return fromEnv("XNUSCOPE_BINARY_DIR", XNUSCOPE_BINARY_DIR); }
std::string forgePath() { return fromEnv("XNUSCOPE_FORGE", XNUSCOPE_FORGE); }
std::string realXnuDir() { return fromEnv("XNUSCOPE_REAL_XNU", XNUSCOPE_REAL_XNU); }
std::string fixtureCache() { return fromEnv("XNUSCOPE_FIXTURE_CACHE", XNUSCOPE_FIXTURE_CACHE); }
std::string cliPath() { return fromEnv("XNUSCOPE_CLI", XNUSCOPE_CLI); }

std::string scratchDir() {
  static const std::string dir = [] {
    auto path =
        std::filesystem::temp_directory_path() / ("xnuscope-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    return path.string();
  }();
  return dir;
}

}  // namespace xnuscope::test
