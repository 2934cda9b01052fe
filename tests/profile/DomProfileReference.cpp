// The DOM-based reader of native profiles as it was before the streaming reader
// (src/profile/NativeProfileReader.cpp): parseProfileJson() builds the whole tree,
// then the members are read in a fixed order. Kept here, in the tests only, as the
// reference the streaming reader must agree with (same Profile, same first error).
#include "DomProfileReference.h"

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "core/Hex.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileJson.h"
#include "profile/TypeExpression.h"

namespace xnuscope::test {
namespace {

using nlohmann::json;

// Reads members of a parsed document with messages that name the file and the
// JSON path, so a hand-edited profile can be fixed from the error alone.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw InputError("profile " + origin_ + ": " + path + " " + problem +
                     " (see docs/profiles.md for the format)");
  }
  const json& member(const json& object, const std::string& key, const std::string& path) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(path + "." + key, "is missing");
    return *it;
  }
  std::string string(const json& object, const std::string& key, const std::string& path) const {
    const json& value = member(object, key, path);
    if (!value.is_string()) fail(path + "." + key, "must be a string");
    return value.get<std::string>();
  }
  std::string optionalString(const json& object, const std::string& key,
                             const std::string& path) const {
    if (!object.contains(key) || object.at(key).is_null()) return {};
    return string(object, key, path);
  }
  std::uint64_t number(const json& value, const std::string& path) const {
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<long long>() >= 0)) {
      fail(path, "must be a non-negative integer");
    }
    return value.get<std::uint64_t>();
  }
  const json& object(const json& parent, const std::string& key, const std::string& path) const {
    const json& value = member(parent, key, path);
    if (!value.is_object()) fail(path + "." + key, "must be an object");
    return value;
  }

 private:
  std::string origin_;
};

Profile readNativeDocument(const json& doc, const std::string& origin) {
  const Reader reader(origin);
  if (!doc.is_object()) reader.fail("the document", "must be a JSON object");
  const std::string format = reader.string(doc, "format", "$");
  if (format != kNativeProfileFormat) {
    reader.fail("$.format", "is \"" + format + "\", expected \"" + kNativeProfileFormat + "\"");
  }
  const std::uint64_t version =
      reader.number(reader.member(doc, "format_version", "$"), "$.format_version");
  if (version != static_cast<std::uint64_t>(kNativeProfileFormatVersion)) {
    reader.fail("$.format_version", "is " + std::to_string(version) + "; this xnuscope reads " +
                                        "version " + std::to_string(kNativeProfileFormatVersion));
  }
  Profile profile;
  profile.name = reader.string(doc, "name", "$");
  profile.macos = reader.optionalString(doc, "macos", "$");
  profile.build = reader.optionalString(doc, "build", "$");
  profile.xnu = reader.optionalString(doc, "xnu", "$");
  if (doc.contains("arch")) profile.arch = reader.string(doc, "arch", "$");
  profile.banner = reader.string(doc, "banner", "$");
  const std::string uuid = reader.optionalString(doc, "uuid", "$");
  if (!uuid.empty()) profile.uuid = uuid;
  profile.layoutSource = reader.string(doc, "layout_source", "$");
  if (doc.contains("provenance")) {
    const json& provenance = reader.object(doc, "provenance", "$");
    profile.provenance.source = reader.optionalString(provenance, "source", "$.provenance");
    profile.provenance.sha256 = reader.optionalString(provenance, "sha256", "$.provenance");
    profile.provenance.tool = reader.optionalString(provenance, "tool", "$.provenance");
  }
  for (const auto& [name, value] : reader.object(doc, "symbols", "$").items()) {
    const std::string path = "$.symbols." + name;
    if (!value.is_string()) reader.fail(path, "must be a hex address string (\"0xffffff80...\")");
    const auto address = parseNumber(value.get<std::string>());
    if (!address || value.get<std::string>().rfind("0x", 0) != 0) {
      reader.fail(path, "is \"" + value.get<std::string>() + "\", not a hex address");
    }
    profile.symbols[name] = *address;
  }
  for (const auto& [name, value] : reader.object(doc, "structs", "$").items()) {
    const std::string path = "$.structs." + name;
    if (!value.is_object()) reader.fail(path, "must be an object {\"size\", \"fields\"}");
    StructLayout layout;
    layout.size = reader.number(reader.member(value, "size", path), path + ".size");
    for (const auto& [fieldName, fieldValue] : reader.object(value, "fields", path).items()) {
      const std::string fieldPath = path + ".fields." + fieldName;
      // A member that cannot be represented is dropped (and recorded), not the profile.
      try {
        if (!fieldValue.is_object())
          reader.fail(fieldPath, "must be an object {\"offset\", \"type\"}");
        Field field;
        field.offset =
            reader.number(reader.member(fieldValue, "offset", fieldPath), fieldPath + ".offset");
        field.type = reader.string(fieldValue, "type", fieldPath);
        try {
          TypeExpression::parse(field.type);
        } catch (const InputError& error) {
          reader.fail(fieldPath + ".type", std::string("is malformed: ") + error.what());
        }
        if (fieldValue.contains("count")) {
          field.elementCount = reader.number(fieldValue.at("count"), fieldPath + ".count");
        }
        if (fieldValue.contains("bits")) {
          const json& bits = fieldValue.at("bits");
          if (!bits.is_array() || bits.size() != 2) {
            reader.fail(fieldPath + ".bits", "must be [start_bit, bit_count]");
          }
          const auto start = reader.number(bits[0], fieldPath + ".bits[0]");
          const auto count = reader.number(bits[1], fieldPath + ".bits[1]");
          if (count == 0 || start + count > 64) {
            reader.fail(fieldPath + ".bits", "must describe 1..64 bits within a 64-bit word");
          }
          field.bits =
              BitField{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(count)};
        }
        layout.fields[fieldName] = field;
      } catch (const InputError& error) {
        profile.drop(name + "." + fieldName, error.what());
      }
    }
    profile.structs[name] = std::move(layout);
  }
  if (doc.contains("dropped")) {
    for (const auto& [key, reason] : reader.object(doc, "dropped", "$").items()) {
      if (reason.is_string()) profile.drop(key, reason.get<std::string>());
    }
  }
  return profile;
}

}  // namespace

Profile readNativeProfileWithDom(const std::string& text, const std::string& origin) {
  const json doc = parseProfileJson(text, "profile " + origin);
  try {
    return readNativeDocument(doc, origin);
  } catch (const json::exception& error) {
    throw InputError("profile " + origin + " is malformed: " + error.what() +
                     " (see docs/profiles.md for the format)");
  }
}

}  // namespace xnuscope::test
