// Volatility 3 Intermediate Symbol Format (ISF, schema 6.x) for mac kernels:
// import from .json, .json.xz or .json.gz (dwarf2json output, or the forge's
// IMAGE.isf.json), and export so xnuscope profiles work in Volatility 3 too.
// ISF symbol names have no Mach-O underscore ("allproc"); the profile's do
// ("_allproc"): import adds it, export strips it. The banner travels base64-encoded
// in the `version` symbol's `constant_data`.
#pragma once

#include <string>

#include "profile/ImportedProfile.h"

namespace xnuscope {

// Throws InputError for unreadable, malformed or non-ISF input.
ImportedProfile importIsfProfile(const std::string& path);
ImportedProfile importIsfText(const std::string& jsonText, const std::string& origin);

// ISF JSON text (schema 6.2.0) of `profile`: its structs as user_types, the base
// types they use, and its symbols; identity and provenance in metadata.producer.xnuscope.
std::string exportIsf(const Profile& profile);

// True when the document looks like an ISF (has metadata.format and user_types).
bool looksLikeIsf(const std::string& jsonText);

}  // namespace xnuscope
