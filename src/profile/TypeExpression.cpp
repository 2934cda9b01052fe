#include "profile/TypeExpression.h"

#include <charconv>

#include "core/Error.h"
#include "profile/BaseTypes.h"

namespace xnuscope {

TypeExpression TypeExpression::parse(const std::string& text) {
  TypeExpression result;
  // The base ends where the first constructor begins: " *" or "[".
  std::size_t end = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[' || (text[i] == '*' && i > 0 && text[i - 1] == ' ')) {
      end = (text[i] == '*') ? i - 1 : i;
      break;
    }
  }
  result.base = text.substr(0, end);
  if (result.base.empty()) {
    throw InputError("member type \"" + text + "\" has no base type name");
  }
  std::size_t i = end;
  while (i < text.size()) {
    if (text.compare(i, 2, " *") == 0) {
      result.constructors.push_back({TypeConstructor::Kind::Pointer, 0, true});
      i += 2;
    } else if (text[i] == '[') {
      const auto close = text.find(']', i);
      if (close == std::string::npos) {
        throw InputError("member type \"" + text + "\" has an unclosed '['");
      }
      TypeConstructor array{TypeConstructor::Kind::Array, 0, true};
      const std::string digits = text.substr(i + 1, close - i - 1);
      if (digits.empty()) {
        array.countKnown = false;
      } else {
        const auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), array.count);
        if (ec != std::errc() || ptr != digits.data() + digits.size()) {
          throw InputError("member type \"" + text + "\" has a bad array count \"" + digits + "\"");
        }
      }
      result.constructors.push_back(array);
      i = close + 1;
    } else {
      throw InputError("member type \"" + text + "\" is not in the profile notation " +
                       "(base name, then \" *\" or \"[N]\" constructors)");
    }
  }
  return result;
}

std::string TypeExpression::format() const {
  std::string text = base;
  for (const auto& constructor : constructors) {
    if (constructor.kind == TypeConstructor::Kind::Pointer) {
      text += " *";
    } else if (constructor.countKnown) {
      text += "[" + std::to_string(constructor.count) + "]";
    } else {
      text += "[]";
    }
  }
  return text;
}

std::string TypeExpression::embeddedBase() const {
  for (const auto& constructor : constructors) {
    if (constructor.kind == TypeConstructor::Kind::Pointer) return {};
  }
  if (findBaseType(base)) return {};
  return base;
}

}  // namespace xnuscope
