#include "xnu/ProfileFields.h"

#include "core/Error.h"

namespace xnuscope {

void ProfileFields::missing(const std::string& what) const {
  throw AnalysisError("profile " + profile_.describe() + " lacks " + what + ", which `" + purpose_ +
                      "` reads; use a profile that describes it (see `xnuscope profile show`)");
}

std::uint64_t ProfileFields::firstOffset(const std::string& structName,
                                         const std::vector<std::string>& paths) const {
  if (!profile_.hasStruct(structName)) missing("struct " + structName);
  for (const auto& path : paths) {
    if (profile_.hasField(structName, path)) return profile_.offset(structName, path);
  }
  std::string names;
  for (const auto& path : paths) names += (names.empty() ? "" : " / ") + structName + "." + path;
  missing("the field " + names);
}

std::optional<std::uint64_t> ProfileFields::optionalOffset(const std::string& structName,
                                                           const std::string& path) const {
  if (!profile_.hasField(structName, path)) return std::nullopt;
  return profile_.offset(structName, path);
}

std::uint64_t ProfileFields::size(const std::string& structName) const {
  if (!profile_.hasStruct(structName)) missing("struct " + structName);
  return profile_.structure(structName).size;
}

std::uint64_t ProfileFields::arrayLength(const std::string& structName, const std::string& path,
                                         std::uint64_t fallback) const {
  offset(structName, path);
  const Field& field = profile_.field(structName, path);
  return field.elementCount > 1 ? field.elementCount : fallback;
}

XnuBitRange ProfileFields::bits(const std::string& structName, const std::string& path) const {
  offset(structName, path);
  const Field& field = profile_.field(structName, path);
  if (!field.bits) missing("a bit position for " + structName + "." + path);
  return XnuBitRange{field.offset, field.bits->start, field.bits->count};
}

std::uint64_t ProfileFields::symbol(const std::vector<std::string>& names) const {
  for (const auto& name : names) {
    if (const auto address = profile_.symbol(name)) return *address;
  }
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : " / ") + name;
  missing("the symbol " + list);
}

}  // namespace xnuscope
