// `--pid N` of the commands that walk the kernel's process records themselves
// (psaux, lsof, malfind): the same check and message as `maps --pid`, through
// engine::findProcess, so an unknown pid is a usage error (exit 2) everywhere.
#pragma once

#include <cstdint>

#include "xnu/ProcWalker.h"

namespace xnuscope::cli {

// Throws InputError naming how many processes exist when no row has `pid`.
void requireProcess(const ProcessListing& listing, std::int32_t pid);

}  // namespace xnuscope::cli
