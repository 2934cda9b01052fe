#include "cli/XnuContext.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/Session.h"
#include "core/Error.h"
#include "kernel/KernelLocator.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/Vol2ProfileImporter.h"

namespace xnuscope::cli {
namespace {

namespace fs = std::filesystem;

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("--profile: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where `--profile auto` looks: $XNUSCOPE_PROFILES, then share/xnuscope/profiles
// next to the installed binary, then xnu_profiles/ of a source-tree build.
std::vector<fs::path> profileDirectories() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("XNUSCOPE_PROFILES"); env && *env) dirs.emplace_back(env);
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    dirs.push_back(exe.parent_path() / ".." / "share" / "xnuscope" / "profiles");
    dirs.push_back(exe.parent_path() / ".." / "xnu_profiles");
  }
  return dirs;
}

// Banners compared with runs of whitespace collapsed ("Wed Nov  2" vs "Wed Nov 2").
std::string collapseSpaces(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\0')) {
    out.pop_back();
  }
  return out;
}

Profile selectProfileByBanner(const KernelInfo& kernel) {
  std::vector<std::string> looked;
  for (const auto& dir : profileDirectories()) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) continue;
    looked.push_back(dir.lexically_normal().string());
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const std::string text = readText(file.string());
      if (!looksLikeNativeProfile(text)) continue;
      Profile profile = readNativeProfile(text, file.string());
      if (!profile.banner.empty() &&
          collapseSpaces(profile.banner) == collapseSpaces(kernel.banner)) {
        return profile;
      }
    }
  }
  throw AnalysisError("no profile matches the kernel in memory (banner \"" + kernel.banner +
                      "\"); looked in " +
                      (looked.empty() ? std::string("no profile directory") : looked.front()) +
                      ". Give one with --profile PATH (xnuscope JSON or Volatility 2 zip)");
}

}  // namespace

Profile loadProfileFile(const std::string& path) {
  if (!fs::exists(path)) throw InputError("--profile: " + path + " does not exist");
  if (path.size() > 4 && path.substr(path.size() - 4) == ".zip") {
    return importVol2Profile(path, {}).profile;
  }
  const std::string text = readText(path);
  if (looksLikeNativeProfile(text)) return readNativeProfile(text, path);
  if (path.size() > 3 &&
      (path.substr(path.size() - 3) == ".xz" || path.substr(path.size() - 3) == ".gz")) {
    return importIsfProfile(path).profile;
  }
  if (looksLikeIsf(text)) return importIsfText(text, path).profile;
  throw InputError("--profile: " + path +
                   " is neither an xnuscope profile, a Volatility 3 ISF nor a Volatility 2 mac "
                   "profile zip");
}

XnuContext::XnuContext(Session& session) : physical_(session.physicalMemory()) {
  const GlobalOptions& options = session.options();
  const bool explicitProfile = !options.profile.empty() && options.profile != "auto";
  if (explicitProfile) profile_ = loadProfileFile(options.profile);

  KernelLocatorOptions locatorOptions;
  if (explicitProfile) locatorOptions.unslidSymbols = &profile_.symbols;
  locatorOptions.dtb = options.dtb;
  // Banner copies elsewhere in RAM (decoys) are reported by `info`; the walkers only
  // need the proven kernel, and scanning all of RAM for them dominates their run time.
  locatorOptions.decoyScan = KernelLocatorOptions::DecoyScan::Never;
  locatorOptions.progress = session.progress();
  kernel_ = KernelLocator(physical_, locatorOptions).locate();
  session.endProgress();

  if (!explicitProfile) {
    profile_ = selectProfileByBanner(kernel_);
  } else if (!profile_.banner.empty() &&
             collapseSpaces(profile_.banner) != collapseSpaces(kernel_.banner)) {
    // Name the kernel's build and UUID too: with the wrong profile's symbols the banner
    // may not be found at all, and an empty banner tells the user nothing.
    const std::string message = "profile " + profile_.describe() +
                                " does not match the kernel in memory (build " +
                                (kernel_.build.empty() ? "unknown" : kernel_.build) + ", UUID " +
                                (kernel_.uuid.empty() ? "unknown" : kernel_.uuid) + ", banner \"" +
                                kernel_.banner + "\")";
    if (!options.force) throw AnalysisError(message + "; use --force to use it anyway");
    session.warn(message + "; used anyway (--force)");
  }
  layout_ = XnuLayout::fromProfile(profile_);
  translator_ = std::make_unique<X86_64Translator>(physical_, kernel_.dtb);
  kernelMemory_ = std::make_unique<VirtualMemory>(physical_, *translator_);
  xnu_ = std::make_unique<XnuKernel>(*kernelMemory_, layout_, kernel_);
}

}  // namespace xnuscope::cli

namespace xnuscope::cli {

Profile profileMatchingBanner(const KernelInfo& kernel) { return selectProfileByBanner(kernel); }

}  // namespace xnuscope::cli
