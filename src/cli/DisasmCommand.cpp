// `xnuscope disasm ADDR|SYMBOL [--count N]`: kernel code as Capstone prints it,
// read through the kernel's page tables. A SYMBOL ("proc_pid" or "_proc_pid") is
// looked up in the profile in use (exact or derived) or the --kernel file.
#include <array>
#include <vector>

#include "cli/Command.h"
#include "cli/KernelResolver.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "derive/InstructionPrinter.h"
#include "kernel/KernelFile.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "output/Report.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;

class DisasmCommand : public Command {
 public:
  std::string name() const override { return "disasm"; }
  std::string summary() const override {
    return "disassemble kernel code at an address or symbol (Capstone)";
  }
  std::string usage() const override { return "disasm ADDR|SYMBOL [--count N]"; }
  std::string positionalName() const override { return "disasm-target"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("count", po::value<std::uint32_t>()->value_name("N"),
                          "instructions to print (default 16, at most 4096)");
  }

  int run(Session& session, const po::variables_map& vm) override {
    const auto args = vm.count("disasm-target") ? vm["disasm-target"].as<std::vector<std::string>>()
                                                : std::vector<std::string>{};
    if (args.size() != 1) throw InputError("disasm needs one ADDR or SYMBOL");
    const std::uint32_t count = vm.count("count") ? vm["count"].as<std::uint32_t>() : 16;
    if (count == 0 || count > 4096) throw InputError("disasm: --count must be 1..4096");

    KernelResolverOptions options;
    options.requireProfile = false;
    ResolvedKernel resolved = resolveKernel(session, options);
    for (const auto& warning : resolved.warnings) session.warn(warning);
    std::map<std::string, std::uint64_t> symbols;
    if (resolved.profile) symbols = resolved.profile->symbols;
    if (!session.options().kernel.empty()) {
      const KernelFile file = KernelFile::load(session.options().kernel);
      for (const auto& [n, a] : file.symbols()) symbols.emplace(n, a);
    }

    const std::string& target = args.front();
    std::uint64_t address = 0;
    std::string label;
    if (const auto number = parseNumber(target)) {
      address = *number;
    } else {
      const std::string symbol = target.starts_with("_") ? target : "_" + target;
      const auto it = symbols.find(symbol);
      if (it == symbols.end()) {
        throw InputError(
            "disasm: no symbol " + symbol +
            " in the profile or kernel file in use; give an address, or --kernel FILE");
      }
      address = resolved.kernel.slideSymbol(it->second);
      label = symbol.substr(1);
    }

    X86_64Translator translator(session.physicalMemory(), resolved.kernel.dtb);
    VirtualMemory memory(session.physicalMemory(), translator);
    std::vector<std::uint8_t> code(std::size_t{count} * 15);
    const std::size_t readable = memory.read(address, code);
    if (readable == 0)
      throw AnalysisError("disasm: " + hex(address) + " is not mapped in the kernel");
    code.resize(readable);
    const derive::InstructionPrinter printer;
    const auto instructions = printer.print(code, address, count);

    Report report;
    auto rows = nlohmann::ordered_json::array();
    for (const auto& insn : instructions) {
      nlohmann::ordered_json row;
      row["address"] = hex(insn.address);
      row["where"] =
          label.empty() ? hex(insn.address) : label + "+" + std::to_string(insn.address - address);
      row["bytes"] = insn.bytes;
      row["instruction"] = insn.text;
      rows.push_back(row);
    }
    std::vector<std::string> warnings;
    if (instructions.size() < count) {
      warnings.push_back("stopped after " + std::to_string(instructions.size()) +
                         " instructions: unmapped or undecodable bytes follow");
    }
    report.setCompleteness(instructions.size() == count, warnings);
    report.document["start"] = hex(address);
    report.document["instructions"] = rows;
    report.rowsKey = "instructions";
    report.columns = {{"where", "WHERE"}, {"bytes", "BYTES"}, {"instruction", "INSTRUCTION"}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(DisasmCommand);

}  // namespace
}  // namespace xnuscope::cli
