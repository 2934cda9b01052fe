// Parses the text of HMP "info registers" (or "info registers -a" for every CPU) as
// QEMU's x86 target prints it: "CPU#N" headers, then KEY=hex fields — RIP/RSP in
// long mode, EIP/ESP otherwise, CR0 CR3 CR4 and EFER always.
#pragma once

#include <string_view>
#include <vector>

#include "physmem/PhysicalMemory.h"

namespace xnuscope {

// One CpuState per CPU block, in the order printed; index from "CPU#N" (0 when the
// output has no header). Fields missing from the text stay nullopt. Returns an empty
// vector when the text holds no register dump at all (e.g. an error message).
std::vector<CpuState> parseInfoRegistersCr3(std::string_view text);

}  // namespace xnuscope
