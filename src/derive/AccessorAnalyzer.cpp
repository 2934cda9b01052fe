#include "derive/AccessorAnalyzer.h"

#include <Zydis/Zydis.h>

#include <map>
#include <optional>

namespace xnuscope::derive {
namespace {

constexpr std::size_t kMaxPaths = 32;
constexpr std::size_t kMaxStepsPerPath = 160;
// System V argument registers, in Zydis' 64-bit register numbering from RAX.
constexpr int kArgumentRegisters[] = {7 /*rdi*/, 6 /*rsi*/, 2 /*rdx*/, 1 /*rcx*/, 8, 9};
constexpr int kRax = 0;
constexpr int kRsp = 4;

struct MachineState {
  std::array<ValuePtr, 16> registers;
  std::array<unsigned, 16> widths{};
  std::vector<ValuePtr> stack;
  std::vector<PathCondition> conditions;
  std::optional<PathCondition> flags;  // the last test/cmp
  std::uint64_t pc = 0;
  std::size_t steps = 0;
};

// 0..15 for a general-purpose register (any width), -1 otherwise.
int gprIndex(ZydisRegister reg) {
  if (reg == ZYDIS_REGISTER_NONE) return -1;
  const ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
  if (full < ZYDIS_REGISTER_RAX || full > ZYDIS_REGISTER_R15) return -1;
  return static_cast<int>(full - ZYDIS_REGISTER_RAX);
}

class PathExplorer {
 public:
  PathExplorer(const AccessorAnalyzer::CodeReader& reader,
               const AccessorAnalyzer::NoReturn& noReturn, std::uint64_t entry, std::uint64_t size)
      : reader_(reader), noReturn_(noReturn), entry_(entry), size_(size) {
    code_.resize(size);
    readable_ = reader_(entry, code_);
    ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  }

  FunctionSummary run() {
    FunctionSummary summary;
    summary.entry = entry_;
    if (readable_ == 0) {
      summary.failure = "the code is not readable";
      return summary;
    }
    MachineState initial;
    for (auto& r : initial.registers) r = SymbolicValue::unknown();
    for (int i = 0; i < 6; ++i)
      initial.registers[kArgumentRegisters[i]] = SymbolicValue::argument(i);
    initial.widths.fill(8);
    initial.pc = entry_;
    std::vector<MachineState> pending{initial};
    std::size_t paths = 0;
    while (!pending.empty()) {
      MachineState state = std::move(pending.back());
      pending.pop_back();
      if (++paths > kMaxPaths) {
        summary.ends.push_back({PathEnd::How::Unfollowed, nullptr, 8, state.conditions, state.pc});
        continue;
      }
      follow(std::move(state), pending, summary);
    }
    return summary;
  }

 private:
  ValuePtr readOperand(const MachineState& s, const ZydisDecodedInstruction& insn,
                       const ZydisDecodedOperand& op, std::uint64_t site) const {
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER: {
        const int r = gprIndex(op.reg.value);
        return r < 0 ? SymbolicValue::unknown() : s.registers[r];
      }
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        return SymbolicValue::constant(
            op.imm.is_signed ? op.imm.value.s : static_cast<std::int64_t>(op.imm.value.u), site);
      case ZYDIS_OPERAND_TYPE_MEMORY: {
        const ValuePtr address = effectiveAddress(s, insn, op, site);
        if (address->kind == SymbolicValue::Kind::Unknown) return address;
        // A load is expressed relative to its base: Load(base, disp).
        ValuePtr base = address;
        std::int64_t disp = address->offset;
        if (address->kind == SymbolicValue::Kind::Global) {
          base = SymbolicValue::global(address->address + address->offset, site);
          disp = 0;
        } else {
          auto stripped = std::make_shared<SymbolicValue>(*address);
          stripped->offset = 0;
          base = stripped;
        }
        return SymbolicValue::load(base, disp, op.size / 8, site);
      }
      default:
        return SymbolicValue::unknown();
    }
  }

  ValuePtr effectiveAddress(const MachineState& s, const ZydisDecodedInstruction& insn,
                            const ZydisDecodedOperand& op, std::uint64_t site) const {
    if (op.mem.base == ZYDIS_REGISTER_RIP) {
      ZyanU64 absolute = 0;
      if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &op, site, &absolute))) {
        return SymbolicValue::unknown();
      }
      return SymbolicValue::global(absolute, site);
    }
    if (op.mem.index != ZYDIS_REGISTER_NONE) return SymbolicValue::unknown();
    const int b = gprIndex(op.mem.base);
    if (b < 0 || b == kRsp) return SymbolicValue::unknown();
    return SymbolicValue::plus(s.registers[b], op.mem.disp.value, site);
  }

  void write(MachineState& s, const ZydisDecodedOperand& op, ValuePtr value) const {
    if (op.type != ZYDIS_OPERAND_TYPE_REGISTER) return;  // stores do not matter here
    const int r = gprIndex(op.reg.value);
    if (r < 0) return;
    s.registers[r] = std::move(value);
    s.widths[r] = op.size / 8;
  }

  void clobberWrittenRegisters(MachineState& s, const ZydisDecodedInstruction& insn,
                               const ZydisDecodedOperand* ops) const {
    for (unsigned i = 0; i < insn.operand_count; ++i) {
      if (ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
          (ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)) {
        const int r = gprIndex(ops[i].reg.value);
        if (r >= 0 && r != kRsp) s.registers[r] = SymbolicValue::unknown();
      }
    }
  }

  void recordCall(MachineState& s, std::uint64_t target, bool tail, std::uint64_t site,
                  FunctionSummary& summary) const {
    CallSite call;
    call.callee = target;
    call.tail = tail;
    call.site = site;
    for (int i = 0; i < 3; ++i) call.arguments[i] = s.registers[kArgumentRegisters[i]];
    summary.calls.push_back(call);
  }

  // Branch: the fall-through continues in `s`; the taken side is queued.
  void branch(MachineState& s, std::uint64_t target, ZydisMnemonic mnemonic,
              std::vector<MachineState>& pending) const {
    MachineState taken = s;
    taken.pc = target;
    if (s.flags && (mnemonic == ZYDIS_MNEMONIC_JZ || mnemonic == ZYDIS_MNEMONIC_JNZ)) {
      PathCondition yes = *s.flags;
      yes.equal = mnemonic == ZYDIS_MNEMONIC_JZ;
      PathCondition no = *s.flags;
      no.equal = !yes.equal;
      taken.conditions.push_back(yes);
      s.conditions.push_back(no);
    }
    pending.push_back(std::move(taken));
  }

  void follow(MachineState s, std::vector<MachineState>& pending, FunctionSummary& summary) const {
    while (true) {
      if (++s.steps > kMaxStepsPerPath) {
        summary.ends.push_back({PathEnd::How::Unfollowed, nullptr, 8, s.conditions, s.pc});
        return;
      }
      const std::uint64_t at = s.pc - entry_;
      ZydisDecodedInstruction insn;
      ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
      if (s.pc < entry_ || at >= readable_ ||
          !ZYAN_SUCCESS(
              ZydisDecoderDecodeFull(&decoder_, code_.data() + at, readable_ - at, &insn, ops))) {
        summary.ends.push_back({PathEnd::How::Trap, nullptr, 8, s.conditions, s.pc});
        return;
      }
      ++summary.instructions;
      const std::uint64_t site = s.pc;
      const std::uint64_t next = s.pc + insn.length;
      s.pc = next;
      const auto visible = insn.operand_count_visible;
      switch (insn.mnemonic) {
        case ZYDIS_MNEMONIC_NOP:
        case ZYDIS_MNEMONIC_ENDBR64:
          break;
        case ZYDIS_MNEMONIC_MOV:
        case ZYDIS_MNEMONIC_MOVZX:
        case ZYDIS_MNEMONIC_MOVSX:
        case ZYDIS_MNEMONIC_MOVSXD:
          if (visible == 2) write(s, ops[0], readOperand(s, insn, ops[1], site));
          break;
        case ZYDIS_MNEMONIC_LEA:
          write(s, ops[0], effectiveAddress(s, insn, ops[1], site));
          break;
        case ZYDIS_MNEMONIC_ADD:
        case ZYDIS_MNEMONIC_SUB: {
          if (visible != 2 || ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER) break;
          const ValuePtr lhs = readOperand(s, insn, ops[0], site);
          const ValuePtr rhs = readOperand(s, insn, ops[1], site);
          const bool add = insn.mnemonic == ZYDIS_MNEMONIC_ADD;
          ValuePtr result;
          if (rhs->kind == SymbolicValue::Kind::Constant) {
            result = SymbolicValue::plus(lhs, add ? rhs->offset : -rhs->offset, site);
          } else if (lhs->kind == SymbolicValue::Kind::Unknown ||
                     rhs->kind == SymbolicValue::Kind::Unknown) {
            result = SymbolicValue::unknown();
          } else {
            result = SymbolicValue::combine(
                add ? SymbolicValue::Kind::Sum : SymbolicValue::Kind::Difference, lhs, rhs, site);
          }
          write(s, ops[0], result);
          s.flags.reset();
          break;
        }
        case ZYDIS_MNEMONIC_XOR:
          if (visible == 2 && ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
              ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
              gprIndex(ops[0].reg.value) == gprIndex(ops[1].reg.value)) {
            write(s, ops[0], SymbolicValue::constant(0, site));
          } else {
            clobberWrittenRegisters(s, insn, ops);
          }
          s.flags.reset();
          break;
        case ZYDIS_MNEMONIC_TEST:
        case ZYDIS_MNEMONIC_CMP: {
          PathCondition c;
          c.lhs = readOperand(s, insn, ops[0], site);
          c.rhs = readOperand(s, insn, ops[1], site);
          c.site = site;
          if (insn.mnemonic == ZYDIS_MNEMONIC_TEST) {
            const bool sameRegister = ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
                                      ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
                                      ops[0].reg.value == ops[1].reg.value;
            if (sameRegister) {
              c.rhs = SymbolicValue::constant(0, site);
            } else {
              c.isMaskTest = true;
            }
          }
          s.flags = c;
          break;
        }
        case ZYDIS_MNEMONIC_CMOVZ:
        case ZYDIS_MNEMONIC_CMOVNZ:
        case ZYDIS_MNEMONIC_CMOVB:
        case ZYDIS_MNEMONIC_CMOVNB:
        case ZYDIS_MNEMONIC_CMOVS:
        case ZYDIS_MNEMONIC_CMOVNS:
        case ZYDIS_MNEMONIC_CMOVL:
        case ZYDIS_MNEMONIC_CMOVNL:
        case ZYDIS_MNEMONIC_CMOVLE:
        case ZYDIS_MNEMONIC_CMOVNLE:
        case ZYDIS_MNEMONIC_CMOVBE:
        case ZYDIS_MNEMONIC_CMOVNBE: {
          // Both outcomes: the moved path is queued, the kept one continues.
          MachineState moved = s;
          write(moved, ops[0], readOperand(s, insn, ops[1], site));
          if (s.flags &&
              (insn.mnemonic == ZYDIS_MNEMONIC_CMOVZ || insn.mnemonic == ZYDIS_MNEMONIC_CMOVNZ)) {
            PathCondition yes = *s.flags;
            yes.equal = insn.mnemonic == ZYDIS_MNEMONIC_CMOVZ;
            PathCondition no = *s.flags;
            no.equal = !yes.equal;
            moved.conditions.push_back(yes);
            s.conditions.push_back(no);
          }
          pending.push_back(std::move(moved));
          break;
        }
        case ZYDIS_MNEMONIC_PUSH:
          s.stack.push_back(readOperand(s, insn, ops[0], site));
          break;
        case ZYDIS_MNEMONIC_POP:
          if (!s.stack.empty()) {
            write(s, ops[0], s.stack.back());
            s.stack.pop_back();
          } else {
            write(s, ops[0], SymbolicValue::unknown());
          }
          break;
        case ZYDIS_MNEMONIC_CALL: {
          ZyanU64 target = 0;
          if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
              ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &ops[0], site, &target))) {
            recordCall(s, target, false, site, summary);
            if (noReturn_ && noReturn_(target)) {
              summary.ends.push_back({PathEnd::How::Trap, nullptr, 8, s.conditions, site});
              return;
            }
          } else {
            target = 0;
          }
          for (int r : {0, 1, 2, 6, 7, 8, 9, 10, 11}) s.registers[r] = SymbolicValue::unknown();
          s.registers[kRax] = SymbolicValue::callResult(target, site);
          s.widths[kRax] = 8;
          s.flags.reset();
          break;
        }
        case ZYDIS_MNEMONIC_RET:
          summary.ends.push_back(
              {PathEnd::How::Return, s.registers[kRax], s.widths[kRax], s.conditions, site});
          return;
        case ZYDIS_MNEMONIC_JMP: {
          ZyanU64 target = 0;
          if (ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE ||
              !ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &ops[0], site, &target))) {
            summary.ends.push_back({PathEnd::How::Unfollowed, nullptr, 8, s.conditions, site});
            return;
          }
          if (target < entry_ || target >= entry_ + size_) {
            recordCall(s, target, true, site, summary);
            summary.ends.push_back({PathEnd::How::TailCall, SymbolicValue::callResult(target, site),
                                    8, s.conditions, site});
            return;
          }
          s.pc = target;
          break;
        }
        case ZYDIS_MNEMONIC_INT3:
        case ZYDIS_MNEMONIC_UD2:
        case ZYDIS_MNEMONIC_HLT:
          summary.ends.push_back({PathEnd::How::Trap, nullptr, 8, s.conditions, site});
          return;
        default:
          if (insn.meta.category == ZYDIS_CATEGORY_COND_BR) {
            ZyanU64 target = 0;
            if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&insn, &ops[0], site, &target))) {
              branch(s, target, insn.mnemonic, pending);
            }
            break;
          }
          clobberWrittenRegisters(s, insn, ops);
          s.flags.reset();
          break;
      }
    }
  }

  const AccessorAnalyzer::CodeReader& reader_;
  const AccessorAnalyzer::NoReturn& noReturn_;
  std::uint64_t entry_;
  std::uint64_t size_;
  std::vector<std::uint8_t> code_;
  std::size_t readable_ = 0;
  ZydisDecoder decoder_;
};

}  // namespace

std::vector<const PathEnd*> FunctionSummary::returns() const {
  std::vector<const PathEnd*> out;
  for (const auto& end : ends) {
    if (end.how == PathEnd::How::Return || end.how == PathEnd::How::TailCall) out.push_back(&end);
  }
  return out;
}

FunctionSummary AccessorAnalyzer::analyze(std::uint64_t entry, std::uint64_t size) const {
  return PathExplorer(reader_, noReturn_, entry, size).run();
}

std::string SymbolicValue::describe() const {
  auto hex = [](std::int64_t v) {
    char buf[32];
    if (v < 0) {
      std::snprintf(buf, sizeof buf, " - 0x%llx", static_cast<unsigned long long>(-v));
    } else {
      std::snprintf(buf, sizeof buf, " + 0x%llx", static_cast<unsigned long long>(v));
    }
    return std::string(v == 0 ? "" : buf);
  };
  switch (kind) {
    case Kind::Unknown:
      return "?";
    case Kind::Argument:
      return "arg" + std::to_string(index) + hex(offset);
    case Kind::Constant:
      return std::to_string(offset);
    case Kind::Global: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "&0x%llx", static_cast<unsigned long long>(address));
      return buf + hex(offset);
    }
    case Kind::Load:
      return "load" + std::to_string(width * 8) + "(" + base->describe() + hex(disp) + ")" +
             hex(offset);
    case Kind::Sum:
      return "(" + base->describe() + " + " + other->describe() + ")" + hex(offset);
    case Kind::Difference:
      return "(" + base->describe() + " - " + other->describe() + ")" + hex(offset);
    case Kind::CallResult: {
      char buf[48];
      std::snprintf(buf, sizeof buf, "call(0x%llx)", static_cast<unsigned long long>(address));
      return buf + hex(offset);
    }
  }
  return "?";
}

}  // namespace xnuscope::derive
