#include "profile/IsfProfile.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/DarwinBanner.h"
#include "core/Error.h"
#include "core/Utf8.h"
#include "profile/Base64.h"
#include "profile/BaseTypes.h"
#include "profile/BitFieldPlacement.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileJson.h"
#include "profile/Sha256.h"
#include "profile/TypeExpression.h"

namespace xnuscope {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

class IsfReader {
 public:
  IsfReader(const json& doc, std::string origin) : doc_(doc), origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw InputError("ISF " + origin_ + ": " + where + " " + problem +
                     " (expected a Volatility 3 symbol file, schema 6.x)");
  }

  // An ISF type descriptor as profile type text. `depth` bounds typedef-free
  // recursion through nested pointers/arrays.
  std::string typeText(const json& type, const std::string& where, int depth = 0) const {
    if (depth > 32) fail(where, "type nesting deeper than 32");
    if (!type.is_object() || !type.contains("kind") || !type["kind"].is_string()) {
      fail(where, "type must be an object with a \"kind\"");
    }
    const std::string kind = type["kind"].get<std::string>();
    if (kind == "pointer") {
      if (!type.contains("subtype")) return "void *";
      return typeText(type["subtype"], where, depth + 1) + " *";
    }
    if (kind == "array") {
      if (!type.contains("count") || !type["count"].is_number_unsigned() ||
          !type.contains("subtype")) {
        fail(where, "array type needs a non-negative \"count\" and a \"subtype\"");
      }
      const auto count = type["count"].get<std::uint64_t>();
      return typeText(type["subtype"], where, depth + 1) +
             (count == 0 ? std::string("[]") : "[" + std::to_string(count) + "]");
    }
    if (kind == "function") return "void";
    if (kind == "bitfield") fail(where, "bitfield nested inside another type");
    if (!type.contains("name") || !type["name"].is_string())
      fail(where, "type \"" + kind + "\" needs a name");
    const std::string name = type["name"].get<std::string>();
    if (kind == "enum") {
      // Profiles keep an enum as its underlying base type.
      const auto enums = doc_.find("enums");
      if (enums != doc_.end() && enums->contains(name) && (*enums)[name].contains("base") &&
          (*enums)[name]["base"].is_string()) {
        return (*enums)[name]["base"].get<std::string>();
      }
      return "int";
    }
    return name;
  }

  Field field(const json& value, const std::string& where, std::uint64_t structSize) const {
    if (!value.is_object() || !value.contains("offset") || !value["offset"].is_number_unsigned() ||
        !value.contains("type")) {
      fail(where, "must be {\"offset\": non-negative integer, \"type\": {...}}");
    }
    Field field;
    field.offset = value["offset"].get<std::uint64_t>();
    const json& type = value["type"];
    if (type.is_object() && type.contains("kind") && type["kind"].is_string() &&
        type["kind"].get<std::string>() == "bitfield") {
      if (!type.contains("bit_position") || !type["bit_position"].is_number_unsigned() ||
          !type.contains("bit_length") || !type["bit_length"].is_number_unsigned() ||
          type["bit_length"].get<std::uint64_t>() == 0 ||
          type["bit_length"].get<std::uint64_t>() > 64 ||
          type["bit_position"].get<std::uint64_t>() > 63 || !type.contains("type")) {
        fail(where, "bitfield needs bit_position 0..63, bit_length 1..64 and a storage type");
      }
      const std::string storage = typeText(type["type"], where);
      const PlacedBitField placed = placeBitField(
          field.offset * 8 + type["bit_position"].get<std::uint64_t>(),
          static_cast<std::uint32_t>(type["bit_length"].get<std::uint64_t>()), structSize, storage);
      if (placed.bits.start + placed.bits.count > 64) {
        fail(where, "bitfield of " + std::to_string(placed.bits.count) + " bits at bit " +
                        std::to_string(placed.bits.start) + " spans two 64-bit words");
      }
      field.offset = placed.offset;
      field.type = placed.storageType;
      field.bits = placed.bits;
      return field;
    }
    field.type = typeText(type, where);
    const TypeExpression parsed = TypeExpression::parse(field.type);
    field.elementCount = parsed.isArray() ? parsed.constructors.back().count : 1;
    return field;
  }

 private:
  const json& doc_;
  std::string origin_;
};

// The problem part of an IsfReader::fail message (without its "ISF file: where "
// prefix and schema hint), for a dropped-member warning.
std::string memberProblem(const std::string& message, const std::string& prefix) {
  std::string text = message;
  const std::string hint = " (expected a Volatility 3 symbol file, schema 6.x)";
  if (text.ends_with(hint)) text.resize(text.size() - hint.size());
  if (text.starts_with(prefix)) text = text.substr(prefix.size());
  return text;
}

std::string stringOr(const json& object, const char* key, const std::string& fallback) {
  if (object.is_object() && object.contains(key) && object[key].is_string()) {
    return object[key].get<std::string>();
  }
  return fallback;
}

std::string stemOf(const std::string& path) {
  std::string name = fileNameOf(path);
  for (const char* suffix : {".xz", ".gz", ".json", ".isf"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      name.resize(name.size() - s.size());
    }
  }
  return name;
}

ordered typeDescriptor(const TypeExpression& expression, std::size_t constructors,
                       std::set<std::string>& baseNames) {
  if (constructors == 0) {
    if (findBaseType(expression.base)) {
      baseNames.insert(expression.base);
      return ordered{{"kind", "base"}, {"name", expression.base}};
    }
    return ordered{{"kind", "struct"}, {"name", expression.base}};
  }
  const TypeConstructor& outer = expression.constructors[constructors - 1];
  ordered inner = typeDescriptor(expression, constructors - 1, baseNames);
  if (outer.kind == TypeConstructor::Kind::Pointer) {
    baseNames.insert("pointer");
    return ordered{{"kind", "pointer"}, {"subtype", inner}};
  }
  return ordered{
      {"kind", "array"}, {"count", outer.countKnown ? outer.count : 0}, {"subtype", inner}};
}

}  // namespace

bool looksLikeIsf(const std::string& jsonText) {
  return jsonText.find("\"user_types\"") != std::string::npos &&
         jsonText.find("\"metadata\"") != std::string::npos;
}

namespace {

ImportedProfile importIsfDocument(const json& doc, const std::string& jsonText,
                                  const std::string& origin);

}  // namespace

ImportedProfile importIsfText(const std::string& jsonText, const std::string& origin) {
  const json doc = parseProfileJson(jsonText, "ISF " + origin);
  try {
    return importIsfDocument(doc, jsonText, origin);
  } catch (const json::exception& error) {
    // A value of an unexpected JSON type that a check above did not catch.
    throw InputError("ISF " + origin + " is malformed: " + error.what() +
                     " (expected a Volatility 3 symbol file, schema 6.x)");
  }
}

namespace {

ImportedProfile importIsfDocument(const json& doc, const std::string& jsonText,
                                  const std::string& origin) {
  const IsfReader reader(doc, origin);
  if (!doc.is_object()) reader.fail("the document", "must be a JSON object");
  if (!doc.contains("metadata") || !doc["metadata"].is_object() ||
      !doc["metadata"].contains("format")) {
    reader.fail("metadata.format", "is missing");
  }
  const std::string format = stringOr(doc["metadata"], "format", "");
  if (format.rfind("6.", 0) != 0 && format.rfind("4.", 0) != 0 && format.rfind("5.", 0) != 0) {
    reader.fail("metadata.format", "is \"" + format + "\"; xnuscope reads ISF schema 4.x-6.x");
  }
  for (const char* key : {"user_types", "symbols"}) {
    if (!doc.contains(key) || !doc[key].is_object()) reader.fail(key, "must be an object");
  }

  ImportedProfile result;
  Profile& profile = result.profile;
  const json& metadata = doc["metadata"];
  // xnuscope's own identity block: under metadata.producer (where Volatility 3's
  // schema allows extra keys), or directly under metadata (older forge files).
  json own = json::object();
  if (metadata.contains("producer") && metadata["producer"].is_object() &&
      metadata["producer"].contains("xnuscope")) {
    own = metadata["producer"]["xnuscope"];
  } else if (metadata.contains("xnuscope")) {
    own = metadata["xnuscope"];
  }
  std::string defaultName = stemOf(origin);
  if (metadata.contains("mac") && metadata["mac"].contains("symbols") &&
      metadata["mac"]["symbols"].is_array() && !metadata["mac"]["symbols"].empty()) {
    defaultName = stringOr(metadata["mac"]["symbols"][0], "name", defaultName);
  }
  profile.name = stringOr(own, "name", defaultName);
  profile.macos = stringOr(own, "macos", "");
  profile.build = stringOr(own, "build", "");
  profile.arch = stringOr(own, "arch", "x86_64");
  profile.layoutSource = stringOr(own, "layout_source", "real");
  const std::string uuid = stringOr(own, "uuid", "");
  if (!uuid.empty()) profile.uuid = uuid;
  if (own.contains("provenance") && own["provenance"].is_object()) {
    profile.provenance.source = stringOr(own["provenance"], "source", "");
    profile.provenance.sha256 = stringOr(own["provenance"], "sha256", "");
    profile.provenance.tool = stringOr(own["provenance"], "tool", "");
  } else {
    const json producer = metadata.value("producer", json::object());
    profile.provenance.source = fileNameOf(origin);
    profile.provenance.sha256 = sha256Hex(jsonText);
    profile.provenance.tool =
        stringOr(producer, "name", "unknown") + " " + stringOr(producer, "version", "") + " (ISF)";
  }

  // A struct, member or symbol that cannot be represented is left out with a
  // warning naming it; walkers that need it are refused later, naming it again.
  auto dropWith = [&](const std::string& key, const std::string& where,
                      const std::string& problem) {
    profile.drop(key, problem);
    result.warnings.push_back("ISF " + origin + ": " + where + " dropped: " + problem);
  };
  for (const auto& [structName, value] : doc["user_types"].items()) {
    const std::string where = "user_types." + structName;
    if (!value.is_object() || !value.contains("size") || !value["size"].is_number_unsigned() ||
        !value.contains("fields") || !value["fields"].is_object()) {
      dropWith(structName, where, "not {\"kind\", \"size\": integer, \"fields\": {...}}");
      continue;
    }
    StructLayout layout;
    layout.size = value["size"].get<std::uint64_t>();
    for (const auto& [fieldName, fieldValue] : value["fields"].items()) {
      const std::string fieldWhere = where + ".fields." + fieldName;
      try {
        layout.fields[fieldName] = reader.field(fieldValue, fieldWhere, layout.size);
      } catch (const InputError& error) {
        dropWith(structName + "." + fieldName, fieldWhere,
                 memberProblem(error.what(), "ISF " + origin + ": " + fieldWhere + " "));
      } catch (const json::exception& error) {
        dropWith(structName + "." + fieldName, fieldWhere, error.what());
      }
    }
    profile.structs[structName] = std::move(layout);
  }

  std::vector<ProfileSymbol> symbols;
  for (const auto& [isfName, value] : doc["symbols"].items()) {
    const std::string where = "symbols." + isfName;
    if (!value.is_object() || !value.contains("address") ||
        !value["address"].is_number_unsigned()) {
      dropWith("symbol _" + isfName, where, "not {\"address\": non-negative integer}");
      continue;
    }
    const std::string name = "_" + isfName;
    const auto address = value["address"].get<std::uint64_t>();
    profile.symbols[name] = address;
    symbols.push_back({address, name, true});
    if (isfName == "version" && value.contains("constant_data") &&
        value["constant_data"].is_string()) {
      const auto banner = base64Decode(value["constant_data"].get<std::string>());
      if (banner) {
        profile.banner = banner->substr(0, banner->find('\0'));
      } else {
        result.warnings.push_back("ISF " + origin + ": " + where +
                                  ".constant_data is not base64; the banner is unknown");
      }
    }
  }
  profile.banner = stringOr(own, "banner", profile.banner);
  profile.xnu = stringOr(own, "xnu", xnuVersionFromBanner(profile.banner));
  result.symbolTable = ProfileSymbolTable(std::move(symbols));
  return result;
}

}  // namespace

ImportedProfile importIsfProfile(const std::string& path) {
  return importIsfText(readProfileText(path, "ISF"), path);
}

std::string exportIsf(const Profile& profile) {
  std::set<std::string> baseNames;
  ordered userTypes = ordered::object();
  for (const auto& [name, layout] : profile.structs) {
    ordered fields = ordered::object();
    for (const auto& [fieldName, field] : layout.fields) {
      const TypeExpression expression = TypeExpression::parse(field.type);
      ordered type = typeDescriptor(expression, expression.constructors.size(), baseNames);
      if (field.bits) {
        type = ordered{{"kind", "bitfield"},
                       {"bit_position", field.bits->start},
                       {"bit_length", field.bits->count},
                       {"type", type}};
      }
      fields[fieldName] = ordered{{"offset", field.offset}, {"type", type}};
    }
    userTypes[name] = ordered{{"kind", "struct"}, {"size", layout.size}, {"fields", fields}};
  }
  ordered baseTypes = ordered::object();
  baseNames.insert("pointer");
  for (const auto& name : baseNames) {
    const auto base = findBaseType(name);
    baseTypes[name] = ordered{{"kind", base->kind},
                              {"size", base->size},
                              {"signed", base->isSigned},
                              {"endian", "little"}};
  }
  ordered symbols = ordered::object();
  for (const auto& [name, address] : profile.symbols) {
    const std::string isfName = name.size() > 1 && name[0] == '_' ? name.substr(1) : name;
    ordered symbol{{"address", address}};
    if (isfName == "version" && !profile.banner.empty()) {
      symbol["constant_data"] = base64Encode(profile.banner + std::string(1, '\0'));
    }
    symbols[isfName] = symbol;
  }
  ordered own{{"name", profile.name},
              {"macos", profile.macos},
              {"build", profile.build},
              {"xnu", profile.xnu},
              {"arch", profile.arch},
              {"banner", profile.banner},
              {"layout_source", profile.layoutSource},
              {"provenance",
               {{"source", profile.provenance.source},
                {"sha256", profile.provenance.sha256},
                {"tool", profile.provenance.tool}}}};
  if (profile.uuid) own["uuid"] = *profile.uuid;
  ordered doc;
  doc["metadata"] = ordered{
      {"format", "6.2.0"},
      {"producer", {{"name", "xnuscope"}, {"version", "0.1.0"}, {"xnuscope", own}}},
      {"mac",
       {{"symbols", ordered::array({ordered{{"kind", "symtab"},
                                            {"name", profile.name},
                                            {"hash_type", "none"},
                                            {"hash_value", ""}}})},
        {"types",
         ordered::array({ordered{{"kind", profile.layoutSource}, {"name", profile.name}}})}}}};
  doc["base_types"] = baseTypes;
  doc["user_types"] = userTypes;
  doc["enums"] = ordered::object();
  doc["symbols"] = symbols;
  return doc.dump(1) + "\n";
}

}  // namespace xnuscope
