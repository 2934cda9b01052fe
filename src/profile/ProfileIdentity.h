// The identifying members of a native profile (name, build, banner, UUID, ...),
// read without parsing the rest: enough to list a profile directory and to pick
// the profile that fits a kernel, so only the chosen profile is parsed in full.
#pragma once

#include <optional>
#include <string>

namespace xnuscope {

struct ProfileIdentity {
  std::string name;
  std::string macos;
  std::string build;
  std::string xnu;
  std::string banner;
  std::optional<std::string> uuid;  // absent for null or ""
  std::string layoutSource;
};

// Scans the top level of `text` (a native profile, xnuscope-profile format 1) for
// its identifying members and stops once it has them all; the symbols and structs
// are skipped, not built. Returns nullopt when `text` is not a native profile (no
// "format": "xnuscope-profile" in it). Throws InputError, naming `origin` and the
// member, for malformed JSON before the members were found, another format or
// version, and a missing or mistyped identifying member — the same checks
// readNativeProfile() makes on them. What follows the identifying members is not
// checked here: readNativeProfile() does that when the profile is used.
std::optional<ProfileIdentity> readNativeProfileIdentity(const std::string& text,
                                                         const std::string& origin);

}  // namespace xnuscope
