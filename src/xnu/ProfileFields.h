// Resolving the struct offsets and symbols one forensic command reads, each
// command on its own: a profile that lacks a field makes that command fail with
// an AnalysisError naming the profile, struct, field and command, while the
// process walkers (XnuLayout) and the other commands keep working.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/XnuLayout.h"

namespace xnuscope {

class ProfileFields {
 public:
  // `purpose` names the command in messages ("lsof").
  ProfileFields(const Profile& profile, std::string purpose)
      : profile_(profile), purpose_(std::move(purpose)) {}

  // Offset of `path` in `structName`: the first of `paths` the profile has.
  std::uint64_t firstOffset(const std::string& structName,
                            const std::vector<std::string>& paths) const;
  std::uint64_t offset(const std::string& structName, const std::string& path) const {
    return firstOffset(structName, std::vector<std::string>{path});
  }
  std::optional<std::uint64_t> optionalOffset(const std::string& structName,
                                              const std::string& path) const;
  std::uint64_t size(const std::string& structName) const;
  // Array length of a char[] member; `fallback` when the profile lost the count.
  std::uint64_t arrayLength(const std::string& structName, const std::string& path,
                            std::uint64_t fallback) const;
  XnuBitRange bits(const std::string& structName, const std::string& path) const;
  // Unslid address of a symbol; AnalysisError when the profile has none of `names`.
  std::uint64_t symbol(const std::vector<std::string>& names) const;
  std::optional<std::uint64_t> optionalSymbol(const std::string& name) const {
    return profile_.symbol(name);
  }
  bool hasStruct(const std::string& structName) const { return profile_.hasStruct(structName); }

 private:
  [[noreturn]] void missing(const std::string& what) const;

  const Profile& profile_;
  std::string purpose_;
};

}  // namespace xnuscope
