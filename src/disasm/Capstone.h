// Capstone, loaded on first use (dlopen). Only the commands that print code
// (disasm, malfind, hooks) and profile derivation disassemble; linked into every
// run, Capstone's tables cost each short command about a millisecond of start-up
// relocations (docs/performance.md). Types and constants come from its header.
#pragma once

#include <capstone/capstone.h>

namespace xnuscope::disasm {

// The entry points xnuscope uses, from the loaded library.
struct CapstoneApi {
  decltype(&::cs_open) open = nullptr;
  decltype(&::cs_option) option = nullptr;
  decltype(&::cs_disasm) disasm = nullptr;
  decltype(&::cs_free) free = nullptr;
  decltype(&::cs_close) close = nullptr;
};

// Loads Capstone once per process. Throws AnalysisError naming the library and
// the package to install when it cannot be loaded.
const CapstoneApi& capstone();

// An x86_64 disassembler handle (closed on destruction), with instruction details
// (operands) when `withDetail`.
class CapstoneX86_64 {
 public:
  explicit CapstoneX86_64(bool withDetail);
  ~CapstoneX86_64();
  CapstoneX86_64(const CapstoneX86_64&) = delete;
  CapstoneX86_64& operator=(const CapstoneX86_64&) = delete;

  const CapstoneApi& api() const { return api_; }
  csh handle() const { return handle_; }

 private:
  const CapstoneApi& api_;
  csh handle_ = 0;
};

}  // namespace xnuscope::disasm
