// Puts a forge image into a live QEMU guest and runs a real program on it: the
// allproc-churn guest (tests/data/live/allproc_churn_guest.S) assembled into a
// -bios ROM, with its parameters taken from the forge's truth.json.
#pragma once

#include <cstdint>
#include <string>

#include "support/ForgeImages.h"

namespace xnuscope::test {

struct ChurnParameters {
  std::uint64_t kernelPml4 = 0;  // CR3 the guest switches to (the forge DTB)
  std::uint64_t allproc = 0;     // runtime VA of _allproc
  std::uint64_t spareProc = 0;   // VA of the proc the guest removes and re-inserts
  std::uint64_t listOffset = 0;  // offsetof(struct proc, p_list)
  std::uint64_t pidOffset = 0;   // offsetof(struct proc, p_pid)
  std::uint64_t firstPid = 90000;
  std::uint64_t periodMs = 400;
};

// Parameters for `image`: its DTB, _allproc, and the proc at index `spareIndex` of
// truth.processes as the spare; offsets from the image's ISF (the forge's layout).
ChurnParameters churnParametersFor(const ForgedImage& image, std::size_t spareIndex);

// Assembles the guest with binutils (as, objcopy) into `dir` and patches `params`
// into its parameter block. Returns the 64 KiB ROM path; throws std::runtime_error
// with the assembler's output when that fails.
std::string buildChurnGuestRom(const std::string& dir, const ChurnParameters& params);

// Copies every backed range of the forge image (ELF format) into QEMU's RAM file
// at the offsets QEMU uses on q35 — computed here independently of the engine:
// below 4 GiB file offset = PA, above it below_4g + (PA - 4 GiB).
void loadForgeIntoGuestRam(const ForgedImage& image, const std::string& memPath,
                           std::uint64_t ramBytes);

}  // namespace xnuscope::test
