// A memory image or live guest RAM file is read through mmap. If another process
// truncates the file while xnuscope reads it, the next access past the new end raises
// SIGBUS. Instead of dying with "Bus error", xnuscope prints one clear line and
// exits 2: the input changed under it and must be re-read.
#pragma once

namespace xnuscope::cli {

// Installs the SIGBUS handler (once, at start-up).
void reportMappedFileFaults();

}  // namespace xnuscope::cli
