// xnuscope's own profile file (xnu_profiles/*.json), format version 1. Documented
// in docs/profiles.md. The writer is deterministic — fixed key order, one line per
// field, addresses as hex strings — so regenerating a profile is byte-identical and
// diffs between builds read well.
#pragma once

#include <string>

#include "profile/Profile.h"

namespace xnuscope {

inline constexpr const char* kNativeProfileFormat = "xnuscope-profile";
inline constexpr int kNativeProfileFormatVersion = 1;

std::string writeNativeProfile(const Profile& profile);

// `origin` names the file in error messages. Throws InputError for malformed JSON,
// a document beyond the bounds of ProfileLimits.h, a different format or version,
// missing members and members of the wrong type. One streaming pass, no JSON tree:
// defined in NativeProfileReader.cpp.
Profile readNativeProfile(const std::string& text, const std::string& origin);

// True when `text` looks like a native profile (cheap check on the format key).
bool looksLikeNativeProfile(const std::string& text);

}  // namespace xnuscope
