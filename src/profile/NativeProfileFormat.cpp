#include "profile/NativeProfileFormat.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/Hex.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// Names are UTF-8 after import; a stray byte is written as U+FFFD, never thrown on.
std::string quoted(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string fieldLine(const std::string& name, const Field& field) {
  std::string line = quoted(name) + ": {\"offset\": " + std::to_string(field.offset) +
                     ", \"type\": " + quoted(field.type);
  if (field.elementCount != 1) line += ", \"count\": " + std::to_string(field.elementCount);
  if (field.bits) {
    line += ", \"bits\": [" + std::to_string(field.bits->start) + ", " +
            std::to_string(field.bits->count) + "]";
  }
  return line + "}";
}

}  // namespace

std::string writeNativeProfile(const Profile& profile) {
  std::ostringstream out;
  out << "{\n";
  out << "  \"format\": " << quoted(kNativeProfileFormat) << ",\n";
  out << "  \"format_version\": " << kNativeProfileFormatVersion << ",\n";
  out << "  \"name\": " << quoted(profile.name) << ",\n";
  out << "  \"macos\": " << quoted(profile.macos) << ",\n";
  out << "  \"build\": " << quoted(profile.build) << ",\n";
  out << "  \"xnu\": " << quoted(profile.xnu) << ",\n";
  out << "  \"arch\": " << quoted(profile.arch) << ",\n";
  out << "  \"banner\": " << quoted(profile.banner) << ",\n";
  out << "  \"uuid\": " << (profile.uuid ? quoted(*profile.uuid) : std::string("null")) << ",\n";
  out << "  \"layout_source\": " << quoted(profile.layoutSource) << ",\n";
  out << "  \"provenance\": {\"source\": " << quoted(profile.provenance.source)
      << ", \"sha256\": " << quoted(profile.provenance.sha256)
      << ", \"tool\": " << quoted(profile.provenance.tool) << "},\n";
  out << "  \"symbols\": {";
  bool first = true;
  for (const auto& [name, address] : profile.symbols) {
    out << (first ? "\n" : ",\n") << "    " << quoted(name) << ": " << quoted(hex(address));
    first = false;
  }
  out << (first ? "},\n" : "\n  },\n");
  out << "  \"structs\": {";
  first = true;
  for (const auto& [name, layout] : profile.structs) {
    out << (first ? "\n" : ",\n") << "    " << quoted(name) << ": {\"size\": " << layout.size
        << ", \"fields\": {";
    bool firstField = true;
    for (const auto& [fieldName, field] : layout.fields) {
      out << (firstField ? "\n" : ",\n") << "      " << fieldLine(fieldName, field);
      firstField = false;
    }
    out << (firstField ? "}}" : "\n    }}");
    first = false;
  }
  out << (first ? "}" : "\n  }");
  if (!profile.dropped.empty()) {
    out << ",\n  \"dropped\": {";
    first = true;
    for (const auto& [key, reason] : profile.dropped) {
      out << (first ? "\n" : ",\n") << "    " << quoted(key) << ": " << quoted(reason);
      first = false;
    }
    out << "\n  }";
  }
  out << "\n}\n";
  return out.str();
}

bool looksLikeNativeProfile(const std::string& text) {
  return text.find("\"format\": \"xnuscope-profile\"") != std::string::npos ||
         text.find("\"format\":\"xnuscope-profile\"") != std::string::npos;
}

}  // namespace xnuscope
