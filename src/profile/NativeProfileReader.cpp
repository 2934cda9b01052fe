// readNativeProfile() (declared in NativeProfileFormat.h): one streaming pass over
// the text with nlohmann's SAX parser that enforces the bounds of parseProfileJson()
// (value count, nesting depth) and builds the Profile as it goes, with no JSON tree.
//
// It reads exactly what the former two-pass reader (bounds check, DOM parse, DOM
// walk) read, with the same messages:
//  - invalid JSON and exceeded bounds are reported as the parser meets them, before
//    any complaint about the content (the whole text is parsed first);
//  - members are then checked in the fixed order the DOM walk used (format,
//    format_version, name, ..., provenance, symbols, structs, dropped), symbols and
//    structs by name in byte order (the DOM's std::map order), fields likewise, so
//    the first error reported does not depend on the order of the document;
//  - a key given twice counts with its LAST value, at every level (as the DOM kept
//    it): a repeated member replaces everything read for the earlier one;
//  - a field that cannot be represented is dropped (Profile::drop), not the profile;
//    drops are applied at the end in the DOM walk's order (struct, then field, then
//    the "dropped" member), since Profile::drop keeps the first reason for a key;
//  - unknown members are skipped at every level.
// The DOM walk also turned a nlohmann exception thrown while reading the tree into
// "profile X is malformed: ..."; nothing it did could throw one (every access was
// checked first), so that message has no counterpart here.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/Error.h"
#include "core/Hex.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileLimits.h"
#include "profile/TypeExpression.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// A member's value as far as the checks need it: its kind, and the string or the
// non-negative integer it holds.
struct Member {
  enum class Kind : std::uint8_t { Absent, Null, String, Unsigned, Object, Array, Other };
  Kind kind = Kind::Absent;
  std::uint64_t number = 0;
  std::string text;

  bool present() const { return kind != Kind::Absent; }
};

// A check that failed, kept until the end: the JSON path and the problem.
struct Failure {
  std::string path;
  std::string problem;
};

// The containers whose members are read; everything else is Skipped. Each role but
// Skipped occurs at most once on the stack, so its current key is kept per role.
enum class Role : std::uint8_t {
  Root,
  Provenance,
  Symbols,
  Structs,
  Struct,
  Fields,
  Field,
  Bits,
  Dropped,
  Skipped
};

enum class RootKey : std::uint8_t {
  Format,
  FormatVersion,
  Name,
  Macos,
  Build,
  Xnu,
  Arch,
  Banner,
  Uuid,
  LayoutSource,
  Provenance,
  Symbols,
  Structs,
  Dropped,
  Unknown
};
enum class ProvenanceKey : std::uint8_t { Source, Sha256, Tool, Unknown };
enum class StructKey : std::uint8_t { Size, Fields, Unknown };
enum class FieldKey : std::uint8_t { Offset, Type, Count, Bits, Unknown };

RootKey rootKey(std::string_view name) {
  static constexpr std::pair<std::string_view, RootKey> kKeys[] = {
      {"format", RootKey::Format},
      {"format_version", RootKey::FormatVersion},
      {"name", RootKey::Name},
      {"macos", RootKey::Macos},
      {"build", RootKey::Build},
      {"xnu", RootKey::Xnu},
      {"arch", RootKey::Arch},
      {"banner", RootKey::Banner},
      {"uuid", RootKey::Uuid},
      {"layout_source", RootKey::LayoutSource},
      {"provenance", RootKey::Provenance},
      {"symbols", RootKey::Symbols},
      {"structs", RootKey::Structs},
      {"dropped", RootKey::Dropped}};
  for (const auto& [text, key] : kKeys) {
    if (name == text) return key;
  }
  return RootKey::Unknown;
}

// What was read of one struct ("$.structs.<name>") while it streams.
struct StructRead {
  std::string name;
  Member size;
  Member::Kind fieldsKind = Member::Kind::Absent;
  StructLayout layout;
  std::map<std::string, std::string> drops;  // field name -> reason
};

// What was read of one field ("$.structs.<struct>.fields.<name>") while it streams.
struct FieldRead {
  std::string name;
  Member offset;
  Member type;
  Member count;
  Member::Kind bitsKind = Member::Kind::Absent;
  std::size_t bitsSize = 0;
  Member bits[2];

  // Ready for the next field, keeping the strings' buffers.
  void clear() {
    offset.kind = type.kind = count.kind = bitsKind = Member::Kind::Absent;
    bitsSize = 0;
  }
};

// Inserts or replaces. The writer emits names in order, so the end is the usual place
// and the hint makes that insertion constant time.
template <typename Map, typename Key, typename Value>
void put(Map& map, Key&& key, Value&& value) {
  map.insert_or_assign(map.end(), std::forward<Key>(key), std::forward<Value>(value));
}

class NativeProfileBuilder final : public json::json_sax_t {
 public:
  explicit NativeProfileBuilder(const std::string& origin) : origin_(origin) {}

  bool null() override { return scalar(Member::Kind::Null); }
  bool boolean(bool) override { return scalar(Member::Kind::Other); }
  bool number_integer(number_integer_t value) override {
    // The parser gives only negative integers here (and -0, which the DOM read as 0).
    if (value >= 0)
      return scalar(Member::Kind::Unsigned, nullptr, static_cast<std::uint64_t>(value));
    return scalar(Member::Kind::Other);
  }
  bool number_unsigned(number_unsigned_t value) override {
    return scalar(Member::Kind::Unsigned, nullptr, value);
  }
  bool number_float(number_float_t, const string_t&) override {
    return scalar(Member::Kind::Other);
  }
  bool string(string_t& value) override { return scalar(Member::Kind::String, &value); }
  bool binary(binary_t&) override { return scalar(Member::Kind::Other); }
  bool start_object(std::size_t) override { return open(Member::Kind::Object); }
  bool start_array(std::size_t) override { return open(Member::Kind::Array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& name) override;
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    throw InputError(what() + " is not valid JSON: " + error.what());
  }

  // The checks in the DOM walk's order, once the whole text was parsed.
  Profile finish();

 private:
  std::string what() const { return "profile " + origin_; }
  std::string message(const std::string& path, const std::string& problem) const {
    return what() + ": " + path + " " + problem + " (see docs/profiles.md for the format)";
  }
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw InputError(message(path, problem));
  }

  // Bounds, as parseProfileJson() checks them: every value counts, containers too.
  void countValue() {
    if (++values_ > kMaxProfileJsonValues) {
      throw InputError(what() + " holds more than " + std::to_string(kMaxProfileJsonValues) +
                       " JSON values; no profile is that large");
    }
  }
  bool scalar(Member::Kind kind, std::string* text = nullptr, std::uint64_t number = 0);
  bool open(Member::Kind kind);
  bool close();
  // Stores a value where the innermost container's current key puts it. For an
  // object or array, returns the role of the container that opens.
  Role deliver(Member::Kind kind, std::string* text, std::uint64_t number);
  void symbol(Member::Kind kind, std::string* text);
  void finishStruct();
  void finishField();
  std::string fieldPath() const { return "$.structs." + struct_.name + ".fields." + field_.name; }
  void dropField(const std::string& path, const std::string& problem);
  bool validType(const std::string& type, std::string* problem);

  std::string requiredString(const Member& member, const std::string& path) const {
    if (!member.present()) fail(path, "is missing");
    if (member.kind != Member::Kind::String) fail(path, "must be a string");
    return member.text;
  }
  std::string optionalString(const Member& member, const std::string& path) const {
    if (!member.present() || member.kind == Member::Kind::Null) return {};
    return requiredString(member, path);
  }
  std::uint64_t number(const Member& member, const std::string& path) const {
    if (member.kind != Member::Kind::Unsigned) fail(path, "must be a non-negative integer");
    return member.number;
  }

  const std::string& origin_;
  std::uint64_t values_ = 0;
  std::vector<Role> stack_;
  bool rootIsObject_ = false;

  // Current keys, per role.
  RootKey rootKey_ = RootKey::Unknown;
  ProvenanceKey provenanceKey_ = ProvenanceKey::Unknown;
  StructKey structKey_ = StructKey::Unknown;
  FieldKey fieldKey_ = FieldKey::Unknown;
  std::string symbolName_;
  std::string droppedKey_;
  std::string pendingStructName_;
  std::string pendingFieldName_;

  // Top-level members.
  Member format_, formatVersion_, name_, macos_, build_, xnu_, arch_, banner_, uuid_, layoutSource_;
  Member::Kind provenanceKind_ = Member::Kind::Absent;
  Member provenanceSource_, provenanceSha256_, provenanceTool_;
  Member::Kind symbolsKind_ = Member::Kind::Absent;
  std::map<std::string, std::uint64_t> symbols_;
  std::map<std::string, std::string> symbolFailures_;  // name -> problem
  Member::Kind structsKind_ = Member::Kind::Absent;
  std::map<std::string, StructLayout> structs_;
  std::map<std::string, Failure> structFailures_;  // struct name -> first failure
  std::map<std::string, std::map<std::string, std::string>> fieldDrops_;  // struct -> drops
  Member::Kind droppedKind_ = Member::Kind::Absent;
  std::map<std::string, std::optional<std::string>> dropped_;  // reason when a string

  StructRead struct_;
  FieldRead field_;
  // Type texts already parsed without error: most fields share a handful of types.
  std::unordered_set<std::string> validTypes_;
};

bool NativeProfileBuilder::key(string_t& name) {
  switch (stack_.back()) {
    case Role::Root:
      rootKey_ = rootKey(name);
      break;
    case Role::Provenance:
      provenanceKey_ = name == "source"   ? ProvenanceKey::Source
                       : name == "sha256" ? ProvenanceKey::Sha256
                       : name == "tool"   ? ProvenanceKey::Tool
                                          : ProvenanceKey::Unknown;
      break;
    case Role::Symbols:
      symbolName_.assign(name);
      break;
    case Role::Structs:
      pendingStructName_.assign(name);
      break;
    case Role::Struct:
      structKey_ = name == "size"     ? StructKey::Size
                   : name == "fields" ? StructKey::Fields
                                      : StructKey::Unknown;
      break;
    case Role::Fields:
      pendingFieldName_.assign(name);
      break;
    case Role::Field:
      fieldKey_ = name == "offset"  ? FieldKey::Offset
                  : name == "type"  ? FieldKey::Type
                  : name == "count" ? FieldKey::Count
                  : name == "bits"  ? FieldKey::Bits
                                    : FieldKey::Unknown;
      break;
    case Role::Dropped:
      droppedKey_.assign(name);
      break;
    case Role::Bits:
    case Role::Skipped:
      break;
  }
  return true;
}

bool NativeProfileBuilder::scalar(Member::Kind kind, std::string* text, std::uint64_t number) {
  countValue();
  deliver(kind, text, number);
  return true;
}

bool NativeProfileBuilder::open(Member::Kind kind) {
  if (static_cast<int>(stack_.size()) + 1 > kMaxProfileJsonDepth) {
    throw InputError(what() + " nests JSON deeper than " + std::to_string(kMaxProfileJsonDepth) +
                     " levels; no profile does");
  }
  countValue();
  stack_.push_back(deliver(kind, nullptr, 0));
  return true;
}

bool NativeProfileBuilder::close() {
  const Role closing = stack_.back();
  stack_.pop_back();
  if (closing == Role::Struct) finishStruct();
  if (closing == Role::Field) finishField();
  return true;
}

Role NativeProfileBuilder::deliver(Member::Kind kind, std::string* text, std::uint64_t number) {
  using Kind = Member::Kind;
  const bool object = kind == Kind::Object;
  // Strings are copied, never moved out of the parser: its buffer and ours keep their
  // capacity, so a long name costs one allocation (where the Profile keeps it).
  const auto store = [&](Member& member) {
    member.kind = kind;
    member.number = number;
    if (text) {
      member.text.assign(*text);
    } else {
      member.text.clear();
    }
  };
  if (stack_.empty()) {
    rootIsObject_ = object;
    return object ? Role::Root : Role::Skipped;
  }
  switch (stack_.back()) {
    case Role::Root:
      switch (rootKey_) {
        case RootKey::Format:
          store(format_);
          break;
        case RootKey::FormatVersion:
          store(formatVersion_);
          break;
        case RootKey::Name:
          store(name_);
          break;
        case RootKey::Macos:
          store(macos_);
          break;
        case RootKey::Build:
          store(build_);
          break;
        case RootKey::Xnu:
          store(xnu_);
          break;
        case RootKey::Arch:
          store(arch_);
          break;
        case RootKey::Banner:
          store(banner_);
          break;
        case RootKey::Uuid:
          store(uuid_);
          break;
        case RootKey::LayoutSource:
          store(layoutSource_);
          break;
        case RootKey::Provenance:
          provenanceKind_ = kind;
          provenanceSource_ = provenanceSha256_ = provenanceTool_ = Member{};
          if (object) return Role::Provenance;
          break;
        case RootKey::Symbols:
          symbolsKind_ = kind;
          symbols_.clear();
          symbolFailures_.clear();
          if (object) return Role::Symbols;
          break;
        case RootKey::Structs:
          structsKind_ = kind;
          structs_.clear();
          structFailures_.clear();
          fieldDrops_.clear();
          if (object) return Role::Structs;
          break;
        case RootKey::Dropped:
          droppedKind_ = kind;
          dropped_.clear();
          if (object) return Role::Dropped;
          break;
        case RootKey::Unknown:
          break;
      }
      break;
    case Role::Provenance:
      if (provenanceKey_ == ProvenanceKey::Source) store(provenanceSource_);
      if (provenanceKey_ == ProvenanceKey::Sha256) store(provenanceSha256_);
      if (provenanceKey_ == ProvenanceKey::Tool) store(provenanceTool_);
      break;
    case Role::Symbols:
      symbol(kind, text);
      break;
    case Role::Structs:
      if (object) {
        struct_ = StructRead{};
        struct_.name.assign(pendingStructName_);
        return Role::Struct;
      }
      structs_.erase(pendingStructName_);
      fieldDrops_.erase(pendingStructName_);
      structFailures_.insert_or_assign(
          pendingStructName_,
          Failure{"$.structs." + pendingStructName_, "must be an object {\"size\", \"fields\"}"});
      break;
    case Role::Struct:
      if (structKey_ == StructKey::Size) store(struct_.size);
      if (structKey_ == StructKey::Fields) {
        struct_.fieldsKind = kind;
        struct_.layout.fields.clear();
        struct_.drops.clear();
        if (object) return Role::Fields;
      }
      break;
    case Role::Fields:
      field_.clear();
      field_.name.assign(pendingFieldName_);
      if (object) return Role::Field;
      dropField(fieldPath(), "must be an object {\"offset\", \"type\"}");
      break;
    case Role::Field:
      switch (fieldKey_) {
        case FieldKey::Offset:
          store(field_.offset);
          break;
        case FieldKey::Type:
          store(field_.type);
          break;
        case FieldKey::Count:
          store(field_.count);
          break;
        case FieldKey::Bits:
          field_.bitsKind = kind;
          field_.bitsSize = 0;
          if (kind == Kind::Array) return Role::Bits;
          break;
        case FieldKey::Unknown:
          break;
      }
      break;
    case Role::Bits:
      if (field_.bitsSize < 2) store(field_.bits[field_.bitsSize]);
      ++field_.bitsSize;
      break;
    case Role::Dropped:
      if (kind == Kind::String) {
        dropped_.insert_or_assign(droppedKey_, *text);
      } else {
        dropped_.insert_or_assign(droppedKey_, std::nullopt);
      }
      break;
    case Role::Skipped:
      break;
  }
  return Role::Skipped;
}

void NativeProfileBuilder::symbol(Member::Kind kind, std::string* text) {
  std::string problem;
  std::optional<std::uint64_t> address;
  if (kind != Member::Kind::String) {
    problem = "must be a hex address string (\"0xffffff80...\")";
  } else {
    address = parseNumber(*text);
    if (!address || text->rfind("0x", 0) != 0) {
      problem = "is \"" + *text + "\", not a hex address";
      address.reset();
    }
  }
  if (address) {
    if (!symbolFailures_.empty()) symbolFailures_.erase(symbolName_);
    put(symbols_, symbolName_, *address);
  } else {
    symbols_.erase(symbolName_);
    symbolFailures_.insert_or_assign(symbolName_, std::move(problem));
  }
}

void NativeProfileBuilder::finishStruct() {
  const auto at = [&](const char* member) { return "$.structs." + struct_.name + member; };
  std::optional<Failure> failure;
  if (!struct_.size.present()) {
    failure = Failure{at(".size"), "is missing"};
  } else if (struct_.size.kind != Member::Kind::Unsigned) {
    failure = Failure{at(".size"), "must be a non-negative integer"};
  } else if (struct_.fieldsKind == Member::Kind::Absent) {
    failure = Failure{at(".fields"), "is missing"};
  } else if (struct_.fieldsKind != Member::Kind::Object) {
    failure = Failure{at(".fields"), "must be an object"};
  }
  if (failure) {
    structs_.erase(struct_.name);
    fieldDrops_.erase(struct_.name);
    structFailures_.insert_or_assign(struct_.name, std::move(*failure));
    return;
  }
  if (!structFailures_.empty()) structFailures_.erase(struct_.name);
  struct_.layout.size = struct_.size.number;
  if (struct_.drops.empty()) {
    if (!fieldDrops_.empty()) fieldDrops_.erase(struct_.name);
  } else {
    fieldDrops_.insert_or_assign(struct_.name, std::move(struct_.drops));
  }
  put(structs_, std::move(struct_.name), std::move(struct_.layout));
}

void NativeProfileBuilder::dropField(const std::string& path, const std::string& problem) {
  struct_.layout.fields.erase(field_.name);
  struct_.drops.insert_or_assign(field_.name, message(path, problem));
}

bool NativeProfileBuilder::validType(const std::string& type, std::string* problem) {
  if (validTypes_.count(type) != 0) return true;
  try {
    TypeExpression::parse(type);
  } catch (const InputError& error) {
    *problem = std::string("is malformed: ") + error.what();
    return false;
  }
  validTypes_.insert(type);
  return true;
}

// The checks of one field, in the DOM walk's order; the first that fails drops it.
void NativeProfileBuilder::finishField() {
  const auto drop = [&](const std::string& suffix, const std::string& problem) {
    dropField(fieldPath() + suffix, problem);
  };
  if (!field_.offset.present()) return drop(".offset", "is missing");
  if (field_.offset.kind != Member::Kind::Unsigned) {
    return drop(".offset", "must be a non-negative integer");
  }
  if (!field_.type.present()) return drop(".type", "is missing");
  if (field_.type.kind != Member::Kind::String) return drop(".type", "must be a string");
  std::string problem;
  if (!validType(field_.type.text, &problem)) return drop(".type", problem);
  Field field;
  field.offset = field_.offset.number;
  field.type = field_.type.text;
  if (field_.count.present()) {
    if (field_.count.kind != Member::Kind::Unsigned) {
      return drop(".count", "must be a non-negative integer");
    }
    field.elementCount = field_.count.number;
  }
  if (field_.bitsKind != Member::Kind::Absent) {
    if (field_.bitsKind != Member::Kind::Array || field_.bitsSize != 2) {
      return drop(".bits", "must be [start_bit, bit_count]");
    }
    if (field_.bits[0].kind != Member::Kind::Unsigned) {
      return drop(".bits[0]", "must be a non-negative integer");
    }
    if (field_.bits[1].kind != Member::Kind::Unsigned) {
      return drop(".bits[1]", "must be a non-negative integer");
    }
    const std::uint64_t start = field_.bits[0].number;
    const std::uint64_t count = field_.bits[1].number;
    if (count == 0 || start + count > 64) {
      return drop(".bits", "must describe 1..64 bits within a 64-bit word");
    }
    field.bits = BitField{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(count)};
  }
  if (!struct_.drops.empty()) struct_.drops.erase(field_.name);
  put(struct_.layout.fields, field_.name, std::move(field));
}

Profile NativeProfileBuilder::finish() {
  if (!rootIsObject_) fail("the document", "must be a JSON object");
  const std::string format = requiredString(format_, "$.format");
  if (format != kNativeProfileFormat) {
    fail("$.format", "is \"" + format + "\", expected \"" + kNativeProfileFormat + "\"");
  }
  if (!formatVersion_.present()) fail("$.format_version", "is missing");
  const std::uint64_t version = number(formatVersion_, "$.format_version");
  if (version != static_cast<std::uint64_t>(kNativeProfileFormatVersion)) {
    fail("$.format_version", "is " + std::to_string(version) + "; this xnuscope reads " +
                                 "version " + std::to_string(kNativeProfileFormatVersion));
  }
  Profile profile;
  profile.name = requiredString(name_, "$.name");
  profile.macos = optionalString(macos_, "$.macos");
  profile.build = optionalString(build_, "$.build");
  profile.xnu = optionalString(xnu_, "$.xnu");
  if (arch_.present()) profile.arch = requiredString(arch_, "$.arch");
  profile.banner = requiredString(banner_, "$.banner");
  const std::string uuid = optionalString(uuid_, "$.uuid");
  if (!uuid.empty()) profile.uuid = uuid;
  profile.layoutSource = requiredString(layoutSource_, "$.layout_source");
  if (provenanceKind_ != Member::Kind::Absent) {
    if (provenanceKind_ != Member::Kind::Object) fail("$.provenance", "must be an object");
    profile.provenance.source = optionalString(provenanceSource_, "$.provenance.source");
    profile.provenance.sha256 = optionalString(provenanceSha256_, "$.provenance.sha256");
    profile.provenance.tool = optionalString(provenanceTool_, "$.provenance.tool");
  }
  if (symbolsKind_ == Member::Kind::Absent) fail("$.symbols", "is missing");
  if (symbolsKind_ != Member::Kind::Object) fail("$.symbols", "must be an object");
  if (!symbolFailures_.empty()) {
    const auto& [name, problem] = *symbolFailures_.begin();
    fail("$.symbols." + name, problem);
  }
  profile.symbols = std::move(symbols_);
  if (structsKind_ == Member::Kind::Absent) fail("$.structs", "is missing");
  if (structsKind_ != Member::Kind::Object) fail("$.structs", "must be an object");
  if (!structFailures_.empty()) {
    const Failure& failure = structFailures_.begin()->second;
    fail(failure.path, failure.problem);
  }
  profile.structs = std::move(structs_);
  for (const auto& [structName, drops] : fieldDrops_) {
    for (const auto& [fieldName, reason] : drops)
      profile.drop(structName + "." + fieldName, reason);
  }
  if (droppedKind_ != Member::Kind::Absent) {
    if (droppedKind_ != Member::Kind::Object) fail("$.dropped", "must be an object");
    for (const auto& [key, reason] : dropped_) {
      if (reason) profile.drop(key, *reason);
    }
  }
  return profile;
}

}  // namespace

Profile readNativeProfile(const std::string& text, const std::string& origin) {
  NativeProfileBuilder builder(origin);
  try {
    json::sax_parse(text, &builder);
  } catch (const json::exception& error) {
    throw InputError("profile " + origin + " is not valid JSON: " + error.what());
  }
  return builder.finish();
}

}  // namespace xnuscope
