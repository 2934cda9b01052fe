// Finding the profile for a kernel: a directory of native profiles
// (xnu_profiles/), matched against the kernel in memory by LC_UUID first, then by
// banner (exact, then normalised). Takes the kernel's identity as plain strings so
// it does not depend on the kernel locator. Also: loading one profile file of any
// supported format, and refusing a profile that does not fit the kernel.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"

namespace xnuscope {

// Loads a native profile (.json), Volatility 3 ISF (.json/.json.xz/.json.gz) or
// Volatility 2 mac profile zip, detected by content. Throws InputError.
Profile loadProfileFile(const std::string& path);

// Throws AnalysisError naming both builds when the profile's UUID or banner
// disagrees with the kernel's (an empty kernel value is not compared). With
// `force`, returns the same message instead, for the caller to print as a warning.
// Returns an empty string when the profile matches.
std::string checkProfileMatches(const Profile& profile, const std::string& kernelUuid,
                                const std::string& kernelBanner, bool force);

class ProfileRepository {
 public:
  struct Entry {
    std::string path;
    Profile profile;
  };
  struct Selection {
    Entry entry;
    std::string matchedBy;  // "uuid", "banner" or "normalised banner"
  };

  // $XNUSCOPE_PROFILES (colon-separated), <exe dir>/../share/xnuscope/profiles,
  // <exe dir>/../xnu_profiles (a build directory inside the source tree).
  static std::vector<std::string> defaultDirectories();

  // Reads every *.json native profile in `directories` (missing directories are
  // skipped; unreadable profiles become warnings). Sorted by name.
  explicit ProfileRepository(std::vector<std::string> directories);

  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<std::string>& directories() const { return directories_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // By profile name or file name.
  const Entry* find(const std::string& name) const;

  // UUID first, then banner. Throws AnalysisError saying what was compared and
  // where it looked when nothing matches.
  Selection select(const std::string& kernelUuid, const std::string& kernelBanner) const;

 private:
  std::vector<std::string> directories_;
  std::vector<Entry> entries_;
  std::vector<std::string> warnings_;
};

}  // namespace xnuscope
