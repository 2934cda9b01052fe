// The one entry point for snapshot files: detects the format from the content and
// returns the matching PhysicalMemory (RawImage, ElfCoreImage or LimeImage).
#pragma once

#include <memory>
#include <string>

#include "physmem/PhysicalMemory.h"

namespace xnuscope {

// Throws InputError (one line: what the file looked like, what is accepted) for an
// unreadable path, a directory, an empty or sub-page file, a non-core ELF, a
// truncated ELF/LiME, or a recognized non-image format (gzip, kdump, Mach-O, ...).
std::unique_ptr<PhysicalMemory> openPhysicalMemory(const std::string& path);

}  // namespace xnuscope
