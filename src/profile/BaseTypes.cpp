#include "profile/BaseTypes.h"

namespace xnuscope {

const std::vector<BaseType>& allBaseTypes() {
  static const std::vector<BaseType> types = {
      {"char", 1, true, "char"},
      {"signed char", 1, true, "char"},
      {"unsigned char", 1, false, "char"},
      {"_Bool", 1, false, "bool"},
      {"bool", 1, false, "bool"},
      {"short", 2, true, "int"},
      {"short int", 2, true, "int"},
      {"unsigned short", 2, false, "int"},
      {"short unsigned int", 2, false, "int"},
      {"int", 4, true, "int"},
      {"unsigned int", 4, false, "int"},
      {"long", 8, true, "int"},
      {"long int", 8, true, "int"},
      {"unsigned long", 8, false, "int"},
      {"long unsigned int", 8, false, "int"},
      {"long long", 8, true, "int"},
      {"long long int", 8, true, "int"},
      {"unsigned long long", 8, false, "int"},
      {"long long unsigned int", 8, false, "int"},
      {"__int128", 16, true, "int"},
      {"unsigned __int128", 16, false, "int"},
      {"float", 4, true, "float"},
      {"double", 8, true, "float"},
      {"long double", 16, true, "float"},
      {"void", 0, false, "void"},
      // Volatility 3 ISF names the pointer representation as a base type.
      {"pointer", 8, false, "int"},
  };
  return types;
}

std::optional<BaseType> findBaseType(const std::string& name) {
  for (const auto& type : allBaseTypes()) {
    if (type.name == name) return type;
  }
  return std::nullopt;
}

}  // namespace xnuscope
