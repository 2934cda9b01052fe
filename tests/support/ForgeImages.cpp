#include "support/ForgeImages.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/TestPaths.h"

extern char** environ;

namespace xnuscope::test {
namespace fs = std::filesystem;

namespace {

// FNV-1a, 64 bit: a stable cache key (std::hash may change between builds).
struct Fnv64 {
  uint64_t state = 0xcbf29ce484222325ULL;
  void add(const std::string& bytes) {
    for (unsigned char c : bytes) {
      state ^= c;
      state *= 0x100000001b3ULL;
    }
    state ^= 0xff;  // separator, so ("ab","c") != ("a","bc")
    state *= 0x100000001b3ULL;
  }
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Everything that decides the forge's output: its sources and the arguments.
std::string cacheKey(const std::vector<std::string>& args) {
  Fnv64 a, b;
  b.state ^= 0x9e3779b97f4a7c15ULL;  // a second, differently seeded hash: 128 bits in all
  std::vector<fs::path> sources;
  for (const auto& entry : fs::recursive_directory_iterator(forgePath())) {
    if (entry.is_regular_file() && entry.path().extension() == ".py")
      sources.push_back(entry.path());
  }
  std::sort(sources.begin(), sources.end());
  for (const auto& src : sources) {
    const std::string text = fs::relative(src, forgePath()).string() + "\n" + readFile(src);
    a.add(text);
    b.add(text);
  }
  for (const auto& arg : args) {
    a.add(arg);
    b.add(arg);
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a.state),
                static_cast<unsigned long long>(b.state));
  return buf;
}

// Runs argv with stdout+stderr into logPath; returns the exit status (-1: not run).
int runLogged(const std::vector<std::string>& argv, const std::string& logPath) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

[[noreturn]] void fail(const std::string& message) {
  ADD_FAILURE() << message;
  throw std::runtime_error(message);
}

}  // namespace

ForgedImage forgeImage(const ForgeRequest& request) {
  std::vector<std::string> args = {"generate"};
  const auto layouts = xnuSourceLayouts();
  const bool sourceLayout =
      std::find(layouts.begin(), layouts.end(), request.profile) != layouts.end();
  args.insert(args.end(), {sourceLayout ? "--layout" : "--build", request.profile});
  args.insert(args.end(), {"--seed", std::to_string(request.seed), "--ram", request.ram, "--procs",
                           std::to_string(request.procs), "--format", request.format});
  args.insert(args.end(), request.extraArgs.begin(), request.extraArgs.end());

  // A real build is forged from the project's own data files: they are part of the key.
  std::vector<std::string> keyArgs = args;
  if (!sourceLayout) {
    keyArgs.push_back(
        readFile(fs::path(sourceDir()) / "xnu_profiles" / (request.profile + ".json")));
    keyArgs.push_back(readFile(fs::path(sourceDir()) / "symbols" / (request.profile + ".txt.xz")));
  }
  const fs::path finalDir = fs::path(fixtureCache()) / cacheKey(keyArgs);
  const std::string imageName = "image." + request.format;

  ForgedImage out;
  out.image = (finalDir / imageName).string();
  out.truthPath = out.image + ".truth.json";
  out.isfPath = out.image + ".isf.json";

  if (!fs::exists(out.truthPath)) {
    static std::atomic<int> counter{0};
    fs::create_directories(fixtureCache());
    const fs::path tmp =
        fs::path(fixtureCache()) / (finalDir.filename().string() + ".tmp-" +
                                    std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    std::vector<std::string> argv = {"python3", forgePath()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--out", (tmp / imageName).string(), "--quiet"});
    const std::string log = (tmp / "forge.log").string();
    const int rc = runLogged(argv, log);
    if (rc != 0) {
      std::string cmd;
      for (const auto& a : argv) cmd += a + " ";
      const std::string text = readFile(log);
      fs::remove_all(tmp);
      fail("fixture forge failed (exit " + std::to_string(rc) + "): " + cmd + "\n" + text);
    }
    std::error_code ec;
    fs::rename(tmp, finalDir, ec);
    if (ec) {
      // Another process finished the same image first: theirs is identical.
      fs::remove_all(tmp);
      if (!fs::exists(out.truthPath))
        fail("could not place forge output in " + finalDir.string() + ": " + ec.message());
    }
  }
  try {
    out.truth = nlohmann::json::parse(readFile(out.truthPath));
  } catch (const std::exception& e) {
    fail("unreadable truth file " + out.truthPath + ": " + e.what());
  }
  return out;
}

std::string forgeVol2Zip(const std::string& build) {
  const std::string out = (fs::path(scratchDir()) / (build + ".zip")).string();
  if (fs::exists(out)) return out;
  const std::string log = out + ".log";
  const int rc = runLogged(
      {"python3", forgePath(), "export-vol2", "--build", build, "--out", out, "--quiet"}, log);
  if (rc != 0) fail("forge export-vol2 failed (exit " + std::to_string(rc) + "): " + readFile(log));
  return out;
}

std::vector<std::string> realBuilds() {
  return {"Mavericks_10.9.5_13F34", "Yosemite_10.10.5_14F27",   "ElCapitan_10.11.6_15G1212",
          "Sierra_10.12.6_16G29",   "HighSierra_10.13.1_17B48", "HighSierra_10.13.6_17G65"};
}

std::vector<std::string> realProfileZips() {
  return {"Mavericks_10.9.5_13f34.zip",    "Yosemite_10.10.5_14F27.zip",
          "ElCapitan_10.11.6_15G1212.zip", "Sierra_10.12.6_16G29.zip",
          "HighSierra_10.13.1_17B48.zip",  "HighSierra_10.13.6_17G65.zip"};
}

std::vector<std::string> xnuSourceLayouts() {
  return {"macos13-xnu-source",    "macos11-kc-xnu-source", "macos12-kc-xnu-source",
          "macos13-kc-xnu-source", "macos14-kc-xnu-source", "macos15-kc-xnu-source"};
}

}  // namespace xnuscope::test
