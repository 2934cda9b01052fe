#include "physmem/QemuCpuNotes.h"

#include "core/LittleEndian.h"

namespace xnuscope {

std::optional<CpuState> decodeQemuCpuState(std::span<const std::uint8_t> descriptor) {
  using L = QemuCpuStateLayout;
  if (descriptor.size() < L::kMinimumSize) return std::nullopt;
  if (loadLittleEndianOr<std::uint32_t>(descriptor, L::kVersion) != L::kSupportedVersion)
    return std::nullopt;
  // The recorded size may be larger (fields appended without a version bump) but
  // never smaller than version 1's.
  if (loadLittleEndianOr<std::uint32_t>(descriptor, L::kSize) < L::kMinimumSize)
    return std::nullopt;
  CpuState cpu;
  cpu.rsp = loadLittleEndianOr<std::uint64_t>(descriptor, L::kRsp);
  cpu.rip = loadLittleEndianOr<std::uint64_t>(descriptor, L::kRip);
  cpu.cr0 = loadLittleEndianOr<std::uint64_t>(descriptor, L::kCr + 0 * 8);
  cpu.cr3 = loadLittleEndianOr<std::uint64_t>(descriptor, L::kCr + 3 * 8);
  cpu.cr4 = loadLittleEndianOr<std::uint64_t>(descriptor, L::kCr + 4 * 8);
  return cpu;
}

std::optional<CpuState> decodePrstatus(std::span<const std::uint8_t> descriptor) {
  using L = PrstatusLayout;
  CpuState cpu;
  if (descriptor.size() == L::kX86_64Size) {
    cpu.rip = loadLittleEndianOr<std::uint64_t>(descriptor, L::kX86_64Regs + 16 * 8);
    cpu.rsp = loadLittleEndianOr<std::uint64_t>(descriptor, L::kX86_64Regs + 19 * 8);
    return cpu;
  }
  if (descriptor.size() == L::kI386Size) {
    cpu.rip = loadLittleEndianOr<std::uint32_t>(descriptor, L::kI386Regs + 48);
    cpu.rsp = loadLittleEndianOr<std::uint32_t>(descriptor, L::kI386Regs + 60);
    return cpu;
  }
  return std::nullopt;
}

}  // namespace xnuscope
