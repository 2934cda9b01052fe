// `xnuscope disasm ADDR|SYMBOL [--count N]`: kernel code as Capstone prints it,
// read through the kernel's page tables. A SYMBOL ("proc_pid" or "_proc_pid") is
// looked up in the profile in use (exact or derived) or the --kernel file.
#include <array>
#include <vector>

#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "derive/InstructionPrinter.h"
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

    // Needs no profile: the kernel's own page tables; symbols come from the
    // profile in use (exact or derived) and the --kernel file.
    engine::Target& guest = session.target();
    const engine::Resolution& resolved = guest.resolution();
    for (const auto& warning : resolved.warnings) session.warn(warning);
    std::map<std::string, std::uint64_t> symbols = resolved.kernelFileSymbols;
    if (resolved.profile) {
      for (const auto& [n, a] : resolved.profile->symbols) symbols.insert_or_assign(n, a);
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

    const engine::VirtualRead read =
        guest.readVirtual(std::nullopt, address, std::uint64_t{count} * 15);
    // Up to the first unmapped byte: code past a hole is not this function's.
    const std::uint64_t readable =
        read.holes.empty() ? read.bytes.size() : read.holes.front().start - address;
    if (readable == 0)
      throw AnalysisError("disasm: " + hex(address) + " is not mapped in the kernel");
    const std::vector<std::uint8_t> code(
        read.bytes.begin(), read.bytes.begin() + static_cast<std::ptrdiff_t>(readable));
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
