// Parsed native profiles, kept in a compact binary form between runs, so that a
// short command does not lex the same 100 KB of JSON every time it starts (the
// largest part of `pslist`'s run time after the walk itself; docs/performance.md).
//
// An entry is keyed by a 128-bit hash of the profile's path and text (the path appears
// in the reasons of dropped members): an edited profile is simply parsed again. The
// cache is only ever a shortcut: a missing, unreadable, unwritable, stale or damaged
// entry means the JSON is parsed as without it, and the result is the same Profile.
// Deleting the directory is always safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "profile/Profile.h"

namespace xnuscope {

class ProfileCache {
 public:
  // $XNUSCOPE_PROFILE_CACHE (a directory, or "off"), else $XDG_CACHE_HOME/xnuscope/
  // profiles, else $HOME/.cache/xnuscope/profiles; none when HOME is unset.
  static std::optional<std::filesystem::path> defaultDirectory();

  // No directory: every load parses.
  explicit ProfileCache(std::optional<std::filesystem::path> directory = defaultDirectory());

  // The profile `text` (native JSON, read from `origin`) describes: from the cache
  // when an intact entry exists, else parsed by readNativeProfile() and stored.
  // Throws what readNativeProfile() throws for a text it refuses.
  Profile load(const std::string& text, const std::string& origin) const;

  // Serialised form (exposed for tests): decode() returns nothing for any byte
  // string encode() did not produce for the same key.
  static std::string encode(const Profile& profile, const std::string& key);
  static std::optional<Profile> decode(const std::string& bytes, const std::string& key);

 private:
  std::optional<std::filesystem::path> directory_;
};

}  // namespace xnuscope
