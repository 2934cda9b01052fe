#include "profile/Vol2ProfileImporter.h"

#include <cctype>

#include "core/DarwinBanner.h"
#include "core/Error.h"
#include "core/Utf8.h"
#include "profile/BitFieldPlacement.h"
#include "profile/DsymutilSymbols.h"
#include "profile/ProfileFiles.h"
#include "profile/PythonLiteral.h"
#include "profile/Sha256.h"
#include "profile/TypeExpression.h"
#include "profile/ZipArchive.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// One member of the source is unusable (Volatility's converter wrote garbage for
// it); the member is left out with a warning, the rest of the struct is kept.
struct SkippedMember {
  explicit SkippedMember(std::string why) : reason(std::move(why)) {}
  std::string reason;
};

class VtypesReader {
 public:
  explicit VtypesReader(std::string origin) : origin_(std::move(origin)) {}

  // The member at `where` cannot be represented: it is dropped, not the profile.
  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw SkippedMember(where + ": " + problem);
  }

  // A Volatility 2 type descriptor (['pointer', ['proc']], ['array', 17, ['char']],
  // ['Enumeration', {'target': 'int', ...}], ['unsigned int']) as profile type text.
  std::string typeText(const json& descriptor, const std::string& where, int depth = 0) const {
    if (depth > 32) fail(where, "type nested too deeply");
    if (!descriptor.is_array() || descriptor.empty() || !descriptor[0].is_string()) {
      fail(where, "type must be a list starting with a name, got " +
                      descriptor.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    const std::string kind = descriptor[0].get<std::string>();
    if (kind == "pointer" || kind == "pointer32" || kind == "pointer64") {
      if (descriptor.size() < 2) return "void *";
      return typeText(descriptor[1], where, depth + 1) + " *";
    }
    if (kind == "array") {
      if (descriptor.size() < 3 || !descriptor[1].is_number_integer()) {
        fail(where, "array type must be ['array', count, [element]]");
      }
      const auto count = descriptor[1].get<std::int64_t>();
      if (count < 0) fail(where, "negative array count");
      return typeText(descriptor[2], where, depth + 1) +
             (count == 0 ? std::string("[]") : "[" + std::to_string(count) + "]");
    }
    if (kind == "Enumeration") {
      if (descriptor.size() >= 2 && descriptor[1].is_object() && descriptor[1].contains("target") &&
          descriptor[1]["target"].is_string()) {
        return descriptor[1]["target"].get<std::string>();
      }
      return "int";
    }
    if (kind == "BitField") fail(where, "bitfield used as an element type");
    return kind;
  }

  Field field(const json& value, const std::string& where, std::uint64_t structSize) const {
    if (!value.is_array() || value.size() != 2 || !value[0].is_number_integer()) {
      fail(where, "member must be [offset, type]");
    }
    const auto offset = value[0].get<std::int64_t>();
    if (offset < 0) fail(where, "negative offset");
    Field field;
    field.offset = static_cast<std::uint64_t>(offset);
    const json& type = value[1];
    if (type.is_array() && !type.empty() && type[0] == "BitField") {
      if (type.size() < 2 || !type[1].is_object() || !type[1].contains("start_bit") ||
          !type[1].contains("end_bit")) {
        fail(where, "BitField needs start_bit and end_bit");
      }
      if (!type[1]["start_bit"].is_number_integer() || !type[1]["end_bit"].is_number_integer()) {
        throw SkippedMember(where + ": BitField bits " +
                            type[1].dump(-1, ' ', false, json::error_handler_t::replace) +
                            " are not 64-bit integers");
      }
      const auto start = type[1]["start_bit"].get<std::int64_t>();
      const auto end = type[1]["end_bit"].get<std::int64_t>();
      if (start < 0 || end <= start || end > 64) {
        throw SkippedMember(where + ": BitField bits [" + std::to_string(start) + ", " +
                            std::to_string(end) + ") are not within a 64-bit word");
      }
      const std::string nativeType =
          type[1].contains("native_type") && type[1]["native_type"].is_string()
              ? type[1]["native_type"].get<std::string>()
              : "unsigned int";
      // The 10.13 converter splits one 32-bit bitfield word into bytes (byte 0x49
      // bits 2..4); placeBitField puts every bitfield back in its aligned word.
      const PlacedBitField placed =
          placeBitField(field.offset * 8 + static_cast<std::uint64_t>(start),
                        static_cast<std::uint32_t>(end - start), structSize, nativeType);
      if (placed.bits.start + placed.bits.count > 64) {
        throw SkippedMember(where + ": " + "bitfield of " + std::to_string(placed.bits.count) +
                            " bits at bit " + std::to_string(placed.bits.start) +
                            " spans two 64-bit words");
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
  std::string origin_;
};

std::string defaultName(const std::string& zipPath) {
  std::string stem = fileNameOf(zipPath);
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".zip") == 0)
    stem.resize(stem.size() - 4);
  // "<Codename>_<macOS>_<build>": upper-case the build ("13f34" -> "13F34").
  const auto lastUnderscore = stem.rfind('_');
  if (lastUnderscore != std::string::npos) {
    for (std::size_t i = lastUnderscore + 1; i < stem.size(); ++i) {
      stem[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(stem[i])));
    }
  }
  return stem;
}

}  // namespace

ImportedProfile importVol2Profile(const std::string& zipPath, const Vol2ImportOptions& options) {
  std::string bytes = readWholeFile(zipPath, "Volatility 2 profile");
  const std::string digest = sha256Hex(bytes);
  const ZipArchive zip(std::move(bytes), zipPath);
  const auto* vtypesEntry = zip.findBySuffix(".vtypes");
  const auto* symbolsEntry = zip.findBySuffix(".dsymutil");
  if (!vtypesEntry || !symbolsEntry) {
    throw InputError(zipPath +
                     " lacks a *.vtypes or *.symbol.dsymutil member; it is not a "
                     "Volatility 2 mac profile zip");
  }
  const std::string vtypesOrigin = zipPath + ":" + vtypesEntry->name;
  const auto assignments = parsePythonAssignments(zip.read(*vtypesEntry), vtypesOrigin);
  const auto typesIt = assignments.find("mac_types");
  if (typesIt == assignments.end() || !typesIt->second.is_object()) {
    throw InputError(vtypesOrigin + " has no `mac_types = {...}` dict");
  }

  ImportedProfile result;
  Profile& profile = result.profile;
  profile.name = options.name.empty() ? defaultName(zipPath) : options.name;
  // Name parts: "HighSierra_10.13.6_17G65" -> macOS "10.13.6", build "17G65".
  const auto first = profile.name.find('_');
  const auto last = profile.name.rfind('_');
  if (first != std::string::npos && last > first) {
    profile.macos = profile.name.substr(first + 1, last - first - 1);
    profile.build = profile.name.substr(last + 1);
  }
  profile.banner = options.banner;
  profile.xnu = xnuVersionFromBanner(options.banner);
  profile.layoutSource = "real";
  profile.provenance = {fileNameOf(zipPath), digest, "xnuscope profile import --vol2"};

  const VtypesReader reader(vtypesOrigin);
  // A struct or member that cannot be represented is left out with a warning that
  // names it; a walker that needs it is refused later, naming it again.
  auto dropWith = [&](const std::string& key, const std::string& reason) {
    profile.drop(key, reason);
    result.warnings.push_back(vtypesOrigin + ": dropped " + reason);
  };
  for (const auto& [structName, value] : typesIt->second.items()) {
    const std::string where = "mac_types['" + printableForMessage(structName) + "']";
    if (!isValidUtf8(structName)) {
      dropWith(printableForMessage(structName), where + ": the name is not UTF-8 text");
      continue;
    }
    if (!value.is_array() || value.size() != 2 || !value[0].is_number_unsigned() ||
        !value[1].is_object()) {
      dropWith(structName, where + ": not [size, {member: [offset, type]}]");
      continue;
    }
    StructLayout layout;
    layout.size = value[0].get<std::uint64_t>();
    for (const auto& [fieldName, fieldValue] : value[1].items()) {
      const std::string fieldWhere = where + "['" + printableForMessage(fieldName) + "']";
      const std::string key = structName + "." + printableForMessage(fieldName);
      try {
        if (!isValidUtf8(fieldName))
          throw SkippedMember(fieldWhere + ": the name is not UTF-8 text");
        Field field = reader.field(fieldValue, fieldWhere, layout.size);
        if (!isValidUtf8(field.type)) {
          throw SkippedMember(fieldWhere + ": type \"" + printableForMessage(field.type) +
                              "\" is not UTF-8 text");
        }
        layout.fields[fieldName] = std::move(field);
      } catch (const SkippedMember& skipped) {
        dropWith(key, skipped.reason);
      } catch (const InputError& error) {
        dropWith(key, fieldWhere + ": " + error.what());
      }
    }
    profile.structs[structName] = std::move(layout);
  }

  const std::string symbolsOrigin = zipPath + ":" + symbolsEntry->name;
  DsymutilListing listing = parseDsymutilSymbols(zip.read(*symbolsEntry), symbolsOrigin);
  result.symbolTable = ProfileSymbolTable(std::move(listing.symbols));
  std::size_t unprintableSymbols = 0;
  for (const auto& symbol : result.symbolTable.symbols()) {
    if (!isValidUtf8(symbol.name)) {
      // Kept in the full symbol table (plain text), left out of the JSON profile.
      if (unprintableSymbols++ == 0) {
        result.warnings.push_back(symbolsOrigin + ": symbol \"" + printableForMessage(symbol.name) +
                                  "\" is not UTF-8 text; left out of the profile");
      }
      continue;
    }
    const auto existing = profile.symbols.find(symbol.name);
    // A name defined twice (a static in two files): the external definition wins,
    // else the lowest address, so the choice never depends on file order.
    if (existing == profile.symbols.end()) {
      profile.symbols[symbol.name] = symbol.address;
    } else if (symbol.external) {
      const auto exported = result.symbolTable.addressOf(symbol.name);
      existing->second = *exported;
    }
  }
  if (unprintableSymbols > 1) {
    result.warnings.push_back(symbolsOrigin + ": " + std::to_string(unprintableSymbols) +
                              " symbol names are not UTF-8 text; left out of the profile");
  }
  return result;
}

}  // namespace xnuscope
