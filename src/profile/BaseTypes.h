// The C base types a profile's member types are built from, with the size and
// signedness the x86_64 (LP64) ABI gives them. Any other type name is a struct,
// union or enum named by the profile itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xnuscope {

struct BaseType {
  std::string name;    // "unsigned int"
  std::uint32_t size;  // bytes
  bool isSigned;
  std::string kind;  // Volatility 3 ISF kind: "int", "char", "bool", "float", "void"
};

// nullopt when `name` is not a base type.
std::optional<BaseType> findBaseType(const std::string& name);
const std::vector<BaseType>& allBaseTypes();

}  // namespace xnuscope
