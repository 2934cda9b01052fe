#include "profile/Profile.h"

#include "core/Error.h"
#include "core/Hex.h"
#include "profile/TypeExpression.h"

namespace xnuscope {

std::string embeddedStructName(const std::string& type) {
  try {
    return TypeExpression::parse(type).embeddedBase();
  } catch (const InputError&) {
    return {};
  }
}

std::string Profile::describe() const {
  std::string text = name.empty() ? std::string("(unnamed profile)") : name;
  std::string detail;
  if (!build.empty()) detail = build;
  if (!xnu.empty()) detail += (detail.empty() ? "" : ", ") + xnu;
  if (!detail.empty()) text += " (" + detail + ")";
  return text;
}

void Profile::drop(const std::string& key, const std::string& reason) {
  dropped.emplace(key, reason);
}

const StructLayout& Profile::structure(const std::string& structName) const {
  const auto it = structs.find(structName);
  if (it == structs.end()) {
    const auto droppedIt = dropped.find(structName);
    if (droppedIt != dropped.end()) {
      throw AnalysisError("profile " + describe() + ": struct \"" + structName +
                          "\" was dropped at import (" + droppedIt->second +
                          "); this command needs it, use a profile with a valid " + structName);
    }
    throw AnalysisError("profile " + describe() + " has no struct \"" + structName +
                        "\"; use a profile generated with that struct (xnuscope profile show " +
                        "NAME lists what a profile holds)");
  }
  return it->second;
}

const Field* Profile::findField(const std::string& structName, const std::string& fieldPath,
                                std::string* failure) const {
  std::string current = structName;
  std::size_t begin = 0;
  const Field* found = nullptr;
  // Bounded by the path length: every step consumes one dotted component.
  while (begin <= fieldPath.size()) {
    const auto dot = fieldPath.find('.', begin);
    const std::string member =
        fieldPath.substr(begin, dot == std::string::npos ? dot : dot - begin);
    const auto layout = structs.find(current);
    if (layout == structs.end()) {
      if (failure) *failure = "has no struct \"" + current + "\"";
      return nullptr;
    }
    const auto fieldIt = layout->second.fields.find(member);
    if (fieldIt == layout->second.fields.end()) {
      if (failure) {
        const auto droppedIt = dropped.find(current + "." + member);
        *failure = droppedIt != dropped.end()
                       ? "has field \"" + member + "\" of struct \"" + current +
                             "\" only as a dropped member (" + droppedIt->second + ")"
                       : "has no field \"" + member + "\" in struct \"" + current + "\"";
      }
      return nullptr;
    }
    found = &fieldIt->second;
    if (dot == std::string::npos) return found;
    current = embeddedStructName(found->type);
    if (current.empty()) {
      if (failure) {
        *failure = "cannot follow \"" + member + "\" (type " + found->type + ") in struct \"" +
                   structName + "\": not an embedded struct";
      }
      return nullptr;
    }
    begin = dot + 1;
  }
  return found;
}

const Field& Profile::field(const std::string& structName, const std::string& fieldPath) const {
  std::string failure;
  const Field* found = findField(structName, fieldPath, &failure);
  if (!found) {
    throw AnalysisError("profile " + describe() + " " + failure + " (looking up " + structName +
                        "." + fieldPath + "); the profile does not fit this walker");
  }
  return *found;
}

std::uint64_t Profile::offset(const std::string& structName, const std::string& fieldPath) const {
  std::uint64_t total = 0;
  std::string current = structName;
  std::size_t begin = 0;
  while (true) {
    const auto dot = fieldPath.find('.', begin);
    const std::string member =
        fieldPath.substr(begin, dot == std::string::npos ? dot : dot - begin);
    const Field& member_field = field(current, member);
    // A member past its struct's end (a flexible array may sit exactly at the end)
    // means the profile is corrupt; reading there would walk unrelated memory.
    const std::uint64_t structSize = structure(current).size;
    if (structSize != 0 && member_field.offset > structSize) {
      throw AnalysisError("profile " + name + ": " + current + "." + member + " at offset " +
                          std::to_string(member_field.offset) + " lies outside the struct (" +
                          std::to_string(structSize) + " bytes); the profile is malformed");
    }
    total += member_field.offset;
    if (dot == std::string::npos) return total;
    // field() above already proved the path resolvable one step at a time.
    const std::string next = embeddedStructName(member_field.type);
    if (next.empty()) field(structName, fieldPath);  // throws with the full path
    current = next;
    begin = dot + 1;
  }
}

bool Profile::hasField(const std::string& structName, const std::string& fieldPath) const {
  return findField(structName, fieldPath, nullptr) != nullptr;
}

std::string Profile::firstFieldOf(const std::string& structName,
                                  const std::vector<std::string>& fieldNames) const {
  for (const auto& name : fieldNames) {
    if (hasField(structName, name)) return name;
  }
  std::string list;
  for (const auto& name : fieldNames) list += (list.empty() ? "" : ", ") + name;
  throw AnalysisError("profile " + describe() + " has none of the fields {" + list +
                      "} in struct \"" + structName + "\"");
}

std::optional<std::uint64_t> Profile::symbol(const std::string& symbolName) const {
  const auto it = symbols.find(symbolName);
  if (it == symbols.end()) return std::nullopt;
  return it->second;
}

std::uint64_t Profile::requireSymbol(const std::string& symbolName) const {
  const auto value = symbol(symbolName);
  if (!value) {
    const auto droppedIt = dropped.find("symbol " + symbolName);
    if (droppedIt != dropped.end()) {
      throw AnalysisError("profile " + describe() + ": symbol \"" + symbolName +
                          "\" was dropped at import (" + droppedIt->second +
                          "); this command needs it");
    }
    throw AnalysisError("profile " + describe() + " has no symbol \"" + symbolName +
                        "\"; regenerate the profile from a symbol table that lists it");
  }
  return *value;
}

}  // namespace xnuscope
