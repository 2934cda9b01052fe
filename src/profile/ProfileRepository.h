// Finding the profile for a kernel: a directory of native profiles
// (xnu_profiles/), matched against the kernel in memory by LC_UUID first, then by
// banner (exact, then normalised). The directory is indexed by each file's
// identifying members alone; only the profile chosen is parsed in full. Takes the kernel's identity
// as plain strings so it does not depend on the kernel locator. Also: loading one profile file of
// any supported format, and refusing a profile that does not fit the kernel.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "profile/ProfileIdentity.h"

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
    ProfileIdentity identity;  // read without parsing the rest of the file
  };
  struct Selection {
    std::string path;
    Profile profile;        // the chosen file, parsed in full
    std::string matchedBy;  // "uuid", "banner" or "normalised banner"
    // Matching profiles passed over because they did not parse in full.
    std::vector<std::string> warnings;
  };

  // $XNUSCOPE_PROFILES (colon-separated), <exe dir>/../share/xnuscope/profiles,
  // <exe dir>/../xnu_profiles (a build directory inside the source tree).
  static std::vector<std::string> defaultDirectories();

  // Indexes every *.json native profile in `directories` by its identifying
  // members only (profile/ProfileIdentity.h; missing directories are skipped, a
  // file whose identity cannot be read becomes a warning). The first directory
  // wins when two hold the same profile name. Sorted by name.
  explicit ProfileRepository(std::vector<std::string> directories);

  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<std::string>& directories() const { return directories_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // By profile name or file name.
  const Entry* find(const std::string& name) const;
  // Parses the entry's file in full. Throws InputError naming the file.
  static Profile load(const Entry& entry);

  // UUID first, then banner (exact, then normalised); among the matches of one
  // kind, by name. Only the chosen profile is parsed in full; a match that does
  // not parse is passed over with a warning in the selection. Throws
  // AnalysisError saying what was compared and where it looked when nothing
  // (parseable) matches.
  Selection select(const std::string& kernelUuid, const std::string& kernelBanner) const;

 private:
  std::vector<std::string> directories_;
  std::vector<Entry> entries_;
  std::vector<std::string> warnings_;
};

}  // namespace xnuscope
