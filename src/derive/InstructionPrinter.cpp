#include "derive/InstructionPrinter.h"

#include <cstdio>

#include "core/Error.h"
#include "disasm/Capstone.h"

namespace xnuscope::derive {

InstructionPrinter::InstructionPrinter()
    : capstone_(std::make_unique<disasm::CapstoneX86_64>(/*withDetail=*/false)) {}

InstructionPrinter::~InstructionPrinter() = default;

std::vector<PrintedInstruction> InstructionPrinter::print(std::span<const std::uint8_t> code,
                                                          std::uint64_t address,
                                                          std::size_t count) const {
  std::vector<PrintedInstruction> out;
  cs_insn* insns = nullptr;
  const std::size_t n = capstone_->api().disasm(capstone_->handle(), code.data(), code.size(),
                                                address, count, &insns);
  for (std::size_t i = 0; i < n; ++i) {
    PrintedInstruction p;
    p.address = insns[i].address;
    p.length = insns[i].size;
    for (std::size_t b = 0; b < insns[i].size; ++b) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%02x", insns[i].bytes[b]);
      if (b) p.bytes += ' ';
      p.bytes += buf;
    }
    p.text = insns[i].mnemonic;
    if (insns[i].op_str[0]) p.text += std::string(" ") + insns[i].op_str;
    out.push_back(std::move(p));
  }
  if (insns) capstone_->api().free(insns, n);
  return out;
}

std::string InstructionPrinter::text(std::span<const std::uint8_t> code,
                                     std::uint64_t address) const {
  const auto one = print(code, address, 1);
  return one.empty() ? "(undecodable)" : one.front().text;
}

}  // namespace xnuscope::derive
