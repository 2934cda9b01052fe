// The textual member-type notation of the native profile format, parsed: a base
// name followed by pointer/array constructors applied left to right. "proc *" is
// pointer(proc), "char[17]" array(17, char), "proc *[4]" array(4, pointer(proc)),
// "char[]" an array whose count the source lost.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xnuscope {

struct TypeConstructor {
  enum class Kind { Pointer, Array };
  Kind kind = Kind::Pointer;
  std::uint64_t count = 0;  // arrays only; 0 with countKnown = false for "[]"
  bool countKnown = true;
  bool operator==(const TypeConstructor&) const = default;
};

struct TypeExpression {
  std::string base;
  std::vector<TypeConstructor> constructors;  // innermost first

  // Throws InputError when `text` is not in the notation.
  static TypeExpression parse(const std::string& text);
  std::string format() const;

  bool isPointer() const {
    return !constructors.empty() && constructors.back().kind == TypeConstructor::Kind::Pointer;
  }
  bool isArray() const {
    return !constructors.empty() && constructors.back().kind == TypeConstructor::Kind::Array;
  }
  // The struct named by an embedded member (no pointer anywhere in the chain), or "".
  std::string embeddedBase() const;
};

}  // namespace xnuscope
