// What a register holds while an accessor function is followed instruction by
// instruction: an expression over the function's arguments, memory loads, kernel
// globals and call results. Derivation reads offsets out of these expressions
// (`Load(Arg0 + 0x10, 4)` returned by proc_pid means p_pid is at 0x10), so no byte
// pattern of any particular compiler is assumed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace xnuscope::derive {

struct SymbolicValue;
using ValuePtr = std::shared_ptr<const SymbolicValue>;

struct SymbolicValue {
  enum class Kind {
    Unknown,     // anything the analysis does not model
    Argument,    // incoming argument `index` (rdi, rsi, rdx, rcx, r8, r9) + offset
    Constant,    // `offset` holds the value
    Global,      // the address `address` (RIP-relative) + offset
    Load,        // *(base + offset), `width` bytes
    Sum,         // base + other + offset
    Difference,  // base - other + offset
    CallResult,  // rax after a call to `callee` (runtime address) + offset
  };
  Kind kind = Kind::Unknown;
  int index = 0;
  std::int64_t offset = 0;    // added to the value (Constant: the value itself)
  std::int64_t disp = 0;      // Load: *(base + disp)
  std::uint64_t address = 0;  // Global: runtime VA; CallResult: callee VA
  unsigned width = 8;         // Load
  ValuePtr base;              // Load, Sum, Difference
  ValuePtr other;             // Sum, Difference
  std::uint64_t site = 0;     // VA of the instruction that produced this value

  static ValuePtr unknown() { return std::make_shared<SymbolicValue>(); }
  static ValuePtr argument(int index) {
    auto v = std::make_shared<SymbolicValue>();
    v->kind = Kind::Argument;
    v->index = index;
    return v;
  }
  static ValuePtr constant(std::int64_t value, std::uint64_t site) {
    auto v = std::make_shared<SymbolicValue>();
    v->kind = Kind::Constant;
    v->offset = value;
    v->site = site;
    return v;
  }
  static ValuePtr global(std::uint64_t address, std::uint64_t site) {
    auto v = std::make_shared<SymbolicValue>();
    v->kind = Kind::Global;
    v->address = address;
    v->site = site;
    return v;
  }
  static ValuePtr load(ValuePtr base, std::int64_t disp, unsigned width, std::uint64_t site) {
    auto v = std::make_shared<SymbolicValue>();
    v->kind = Kind::Load;
    v->base = std::move(base);
    v->disp = disp;
    v->width = width;
    v->site = site;
    return v;
  }
  static ValuePtr combine(Kind kind, ValuePtr a, ValuePtr b, std::uint64_t site) {
    auto v = std::make_shared<SymbolicValue>();
    v->kind = kind;
    v->base = std::move(a);
    v->other = std::move(b);
    v->site = site;
    return v;
  }
  static ValuePtr callResult(std::uint64_t callee, std::uint64_t site) {
    auto v = std::make_shared<SymbolicValue>();
    v->kind = Kind::CallResult;
    v->address = callee;
    v->site = site;
    return v;
  }
  // The same value moved by `delta` (lea/add/sub with an immediate).
  static ValuePtr plus(const ValuePtr& value, std::int64_t delta, std::uint64_t site) {
    if (value->kind == Kind::Unknown) return value;
    auto v = std::make_shared<SymbolicValue>(*value);
    v->offset += delta;
    v->site = site;
    return v;
  }

  bool isArgument(int i, std::int64_t off = 0) const {
    return kind == Kind::Argument && index == i && offset == off;
  }
  // *(arg`i` + disp), `width` bytes, nothing added.
  bool isLoadFromArgument(int i, unsigned w) const {
    return kind == Kind::Load && offset == 0 && width == w && base->isArgument(i);
  }
  // "load32(arg0 + 0x10)" for messages and tests.
  std::string describe() const;
};

}  // namespace xnuscope::derive
