#include "profile/ProfileRepository.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "core/DarwinBanner.h"
#include "core/Error.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileCache.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileIdentity.h"
#include "profile/Vol2ProfileImporter.h"
#include "profile/ZipArchive.h"

namespace xnuscope {
namespace fs = std::filesystem;
namespace {

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// "17G65, xnu-4570.71.2" — what to call a build in a message.
std::string profileBuild(const Profile& profile) {
  std::string text = profile.build.empty() ? profile.name : profile.build;
  if (!profile.xnu.empty()) text += ", " + profile.xnu;
  return text;
}

std::string kernelBuild(const std::string& uuid, const std::string& banner) {
  std::string text;
  const std::string xnu = xnuVersionFromBanner(banner);
  const std::string darwin = darwinVersionFromBanner(banner);
  if (!darwin.empty()) text = "Darwin " + darwin;
  if (!xnu.empty()) text += (text.empty() ? "" : ", ") + xnu;
  if (text.empty()) text = banner.empty() ? "unknown build" : "\"" + banner + "\"";
  if (!uuid.empty()) text += ", UUID " + uuid;
  return text;
}

}  // namespace

Profile loadProfileFile(const std::string& path) {
  const std::string bytes = readWholeFile(path, "profile");
  if (ZipArchive::looksLikeZip(bytes)) return importVol2Profile(path, {}).profile;
  const std::string text = readProfileText(path, "profile");
  if (looksLikeNativeProfile(text)) return ProfileCache().load(text, path);
  if (looksLikeIsf(text)) return importIsfText(text, path).profile;
  throw InputError("profile " + path +
                   " is neither an xnuscope profile (.json), a Volatility 3 ISF "
                   "(.json/.json.xz/.json.gz) nor a Volatility 2 mac profile zip");
}

std::string checkProfileMatches(const Profile& profile, const std::string& kernelUuid,
                                const std::string& kernelBanner, bool force) {
  std::string problem;
  if (profile.uuid && !kernelUuid.empty() && upper(*profile.uuid) != upper(kernelUuid)) {
    problem = "its UUID " + *profile.uuid + " differs from the kernel's " + kernelUuid;
  } else if (!profile.banner.empty() && !kernelBanner.empty() &&
             normalizeBanner(profile.banner) != normalizeBanner(kernelBanner)) {
    problem = "its banner \"" + profile.banner + "\" differs from the kernel's \"" +
              normalizeBanner(kernelBanner) + "\"";
  }
  if (problem.empty()) return {};
  const std::string message = "profile " + profile.name + " (" + profileBuild(profile) +
                              ") does not match the kernel in memory (" +
                              kernelBuild(kernelUuid, kernelBanner) + "): " + problem;
  if (!force) {
    throw AnalysisError(message +
                        ". Use --profile auto to pick the matching one, or --force to use this "
                        "profile anyway");
  }
  return message + "; used anyway (--force)";
}

std::vector<std::string> ProfileRepository::defaultDirectories() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("XNUSCOPE_PROFILES"); env && *env) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto colon = list.find(':', start);
      const std::string dir =
          list.substr(start, colon == std::string::npos ? colon : colon - start);
      if (!dir.empty()) dirs.push_back(dir);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(
        (exe.parent_path() / ".." / "share" / "xnuscope" / "profiles").lexically_normal().string());
    dirs.push_back((exe.parent_path() / ".." / "xnu_profiles").lexically_normal().string());
    dirs.push_back((exe.parent_path() / ".." / ".." / "xnu_profiles").lexically_normal().string());
  }
  return dirs;
}

namespace {

// The writer puts the identifying members first, so the head of a file nearly
// always holds them; the whole file is read only when it does not (members
// reordered by hand) or the head does not read as a profile's start.
constexpr std::size_t kIdentityHeadBytes = 64 * 1024;

std::optional<ProfileIdentity> identityOf(const std::string& path) {
  const std::string head = readFileHead(path, "profile", kIdentityHeadBytes);
  if (head.size() < kIdentityHeadBytes) return readNativeProfileIdentity(head, path);
  try {
    if (auto identity = readNativeProfileIdentity(head, path)) return identity;
  } catch (const InputError&) {
    // Cut short by the head (or broken): the whole file decides.
  }
  return readNativeProfileIdentity(readWholeFile(path, "profile"), path);
}

}  // namespace

ProfileRepository::ProfileRepository(std::vector<std::string> directories)
    : directories_(std::move(directories)) {
  for (const auto& dir : directories_) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& item : fs::directory_iterator(dir, ec)) {
      if (item.path().extension() == ".json") files.push_back(item.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        auto identity = identityOf(file.string());
        if (!identity) continue;
        // The first directory wins when two hold the same profile name.
        if (find(identity->name)) continue;
        entries_.push_back({file.string(), std::move(*identity)});
      } catch (const InputError& error) {
        warnings_.push_back(std::string("skipped: ") + error.what());
      }
    }
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.identity.name < b.identity.name; });
}

const ProfileRepository::Entry* ProfileRepository::find(const std::string& name) const {
  for (const auto& entry : entries_) {
    if (entry.identity.name == name || fs::path(entry.path).filename() == name ||
        fs::path(entry.path).stem() == name) {
      return &entry;
    }
  }
  return nullptr;
}

Profile ProfileRepository::load(const Entry& entry) {
  return ProfileCache().load(readWholeFile(entry.path, "profile"), entry.path);
}

ProfileRepository::Selection ProfileRepository::select(const std::string& kernelUuid,
                                                       const std::string& kernelBanner) const {
  Selection selection;
  // The first entry `matches` accepts that also parses in full.
  auto choose = [&](const char* matchedBy, auto matches) {
    for (const auto& entry : entries_) {
      if (!matches(entry.identity)) continue;
      try {
        selection.profile = load(entry);
      } catch (const InputError& error) {
        selection.warnings.push_back("profile " + entry.identity.name + " matches by " + matchedBy +
                                     " but was skipped: " + error.what());
        continue;
      }
      // The full parse keeps the last of a member given twice, the scan the first.
      const Profile& full = selection.profile;
      if (!matches(ProfileIdentity{full.name, full.macos, full.build, full.xnu, full.banner,
                                   full.uuid, full.layoutSource})) {
        selection.warnings.push_back("profile " + entry.identity.name + " matches by " + matchedBy +
                                     " but was skipped: " + entry.path +
                                     " gives its UUID or banner twice, differently");
        continue;
      }
      selection.path = entry.path;
      selection.matchedBy = matchedBy;
      return true;
    }
    return false;
  };
  if (!kernelUuid.empty()) {
    const std::string uuid = upper(kernelUuid);
    if (choose("uuid", [&](const ProfileIdentity& identity) {
          return identity.uuid && upper(*identity.uuid) == uuid;
        })) {
      return selection;
    }
  }
  if (!kernelBanner.empty()) {
    const std::string exact = kernelBanner.substr(0, kernelBanner.find('\0'));
    if (choose("banner", [&](const ProfileIdentity& identity) {
          return !identity.banner.empty() && identity.banner == exact;
        })) {
      return selection;
    }
    const std::string normal = normalizeBanner(kernelBanner);
    if (choose("normalised banner", [&](const ProfileIdentity& identity) {
          return !identity.banner.empty() && normalizeBanner(identity.banner) == normal;
        })) {
      return selection;
    }
  }
  std::string where;
  for (const auto& dir : directories_) where += (where.empty() ? "" : ", ") + dir;
  std::string skipped;
  for (const auto& warning : selection.warnings) skipped += "; " + warning;
  throw AnalysisError("no profile matches the kernel in memory (" +
                      kernelBuild(kernelUuid, kernelBanner) + "); looked at " +
                      std::to_string(entries_.size()) + " profiles in " +
                      (where.empty() ? std::string("no directory") : where) + skipped +
                      ". Generate one (xnuscope profile generate --dsym KERNEL.dSYM --kernel "
                      "KERNEL, or profile import) and pass it with --profile PATH, or set "
                      "XNUSCOPE_PROFILES");
}

}  // namespace xnuscope
