// Follows a small kernel function (an accessor such as proc_pid or get_task_map)
// through every path with Zydis, tracking what each register holds as a
// SymbolicValue: register moves, loads, lea/add/sub, RIP-relative globals, null
// checks (test/cmp + jcc, cmovcc: both outcomes are explored, each with its
// condition), calls and tail calls. The result says what the function returns on
// each path and whom it calls with which arguments — facts about data flow, not
// about byte patterns, so -O2/-Os and frame pointers on or off read the same.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "derive/SymbolicValue.h"

namespace xnuscope::derive {

// `lhs == rhs` (or !=) holds on a path; for `test x, mask` rhs is the mask and
// `isMaskTest` is set (the path knows whether x & mask is zero).
struct PathCondition {
  ValuePtr lhs;
  ValuePtr rhs;
  bool equal = true;
  bool isMaskTest = false;
  std::uint64_t site = 0;
};

struct PathEnd {
  enum class How { Return, TailCall, Trap, Unfollowed };
  How how = How::Return;
  ValuePtr result;  // rax at ret
  unsigned resultWidth = 8;
  std::vector<PathCondition> conditions;
  std::uint64_t site = 0;  // VA of the ret / jmp / trap
};

struct CallSite {
  std::uint64_t callee = 0;  // runtime VA
  bool tail = false;
  std::array<ValuePtr, 3> arguments;  // rdi, rsi, rdx at the call
  std::uint64_t site = 0;
};

struct FunctionSummary {
  std::uint64_t entry = 0;
  std::vector<PathEnd> ends;
  std::vector<CallSite> calls;
  std::size_t instructions = 0;  // decoded, over all paths
  std::string failure;           // set when the code could not be read at all

  // Paths that return normally (not traps, not unfollowed).
  std::vector<const PathEnd*> returns() const;
};

class AccessorAnalyzer {
 public:
  // Reads kernel memory at a runtime VA; returns how many bytes were read.
  using CodeReader = std::function<std::size_t(std::uint64_t va, std::span<std::uint8_t>)>;
  // True for callees that never return (panic): a path ends at a call to them.
  using NoReturn = std::function<bool(std::uint64_t callee)>;
  explicit AccessorAnalyzer(CodeReader reader, NoReturn noReturn = {})
      : reader_(std::move(reader)), noReturn_(std::move(noReturn)) {}

  // `size`: bytes the function may span (distance to the next symbol); jumps
  // outside [entry, entry + size) are tail calls.
  FunctionSummary analyze(std::uint64_t entry, std::uint64_t size) const;

 private:
  CodeReader reader_;
  NoReturn noReturn_;
};

}  // namespace xnuscope::derive
