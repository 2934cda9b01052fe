// Decoding of the per-CPU notes QEMU's dump-guest-memory writes into an ELF core
// (qemu target/i386/arch_dump.c):
//  - "CORE"/NT_PRSTATUS: a Linux elf_prstatus, x86_64 layout (336-byte descriptor)
//    when the first CPU was in long mode, i386 layout (144 bytes) otherwise;
//  - "QEMU"/type 0: QEMUCPUState version 1 — general registers, rip, rflags, ten
//    segment descriptors (cs ds es fs gs ss ldt tr gdt idt, 24 bytes each) and
//    cr[0..4]; newer QEMUs append kernel_gs_base (the `size` field says so).
// QEMU writes all PRSTATUS notes first, then all QEMU notes, both in CPU order.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "physmem/PhysicalMemory.h"

namespace xnuscope {

// Offsets inside QEMUCPUState (all little-endian).
struct QemuCpuStateLayout {
  static constexpr std::size_t kVersion = 0;
  static constexpr std::size_t kSize = 4;
  static constexpr std::size_t kRsp = 8 + 6 * 8;       // rax rbx rcx rdx rsi rdi rsp
  static constexpr std::size_t kRip = 8 + 16 * 8;      // after the 16 general registers
  static constexpr std::size_t kSegments = kRip + 16;  // after rip, rflags
  static constexpr std::size_t kSegmentSize = 24;      // selector limit flags pad base
  static constexpr std::size_t kCr = kSegments + 10 * kSegmentSize;
  static constexpr std::size_t kMinimumSize = kCr + 5 * 8;  // 432: the version-1 struct
  static constexpr std::uint32_t kSupportedVersion = 1;
};

// Offsets inside the elf_prstatus descriptors QEMU writes.
struct PrstatusLayout {
  static constexpr std::size_t kX86_64Size = 336;
  static constexpr std::size_t kX86_64Regs = 112;  // user_regs_struct: r15 r14 ... rip=16, rsp=19
  static constexpr std::size_t kI386Size = 144;
  static constexpr std::size_t kI386Regs = 72;  // ebx ecx edx esi edi ebp eax ds.. eip@48 esp@60
};

// Registers from a QEMU note descriptor; nullopt if the note is not a version-1
// QEMUCPUState (too short or an unknown version).
std::optional<CpuState> decodeQemuCpuState(std::span<const std::uint8_t> descriptor);

// rip/rsp from an NT_PRSTATUS descriptor of either x86 layout; nullopt if the
// descriptor size matches neither.
std::optional<CpuState> decodePrstatus(std::span<const std::uint8_t> descriptor);

}  // namespace xnuscope
