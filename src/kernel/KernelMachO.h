// The header and load commands of a kernel Mach-O as found in guest memory: an
// MH_EXECUTE kernel (10.x) or the MH_FILESET kernel collection (macOS 11+) whose
// LC_FILESET_ENTRY commands name the embedded kernel. LIEF parses MH_EXECUTE
// images; fileset entries are walked here because LIEF 0.9 predates them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/MachO.h"

namespace xnuscope {

// Header and load-command constants: core/MachO.h (macho::).
inline constexpr std::uint32_t kMachOExecute = macho::kFileTypeExecute;
inline constexpr std::uint32_t kMachOFileset = macho::kFileTypeFileset;

struct MachOSegment {
  std::string name;
  std::uint64_t vmaddr = 0;
  std::uint64_t vmsize = 0;
  std::uint64_t fileoff = 0;
  std::uint64_t filesize = 0;
};

struct MachOSymtab {
  std::uint32_t symoff = 0;
  std::uint32_t nsyms = 0;
  std::uint32_t stroff = 0;
  std::uint32_t strsize = 0;
};

struct FilesetEntry {
  std::string id;  // "com.apple.kernel", kext bundle ids
  std::uint64_t vmaddr = 0;
  std::uint64_t fileoff = 0;
};

struct KernelMachO {
  std::uint32_t fileType = 0;
  std::uint32_t flags = 0;
  std::uint32_t sizeOfCommands = 0;
  std::vector<MachOSegment> segments;
  std::optional<std::array<std::uint8_t, 16>> uuid;
  std::optional<MachOSymtab> symtab;
  std::vector<FilesetEntry> filesetEntries;  // MH_FILESET only

  const MachOSegment* segment(std::string_view name) const;
  const FilesetEntry* filesetEntry(std::string_view id) const;
  // "8-4-4-4-12" upper-case hex (the form dwarfdump and Volatility print).
  std::string uuidString() const;
};

// Cheap test on the first 16 bytes of a page: 64-bit Mach-O, x86_64, and an
// MH_EXECUTE or MH_FILESET file type.
bool looksLikeKernelHeader(std::span<const std::uint8_t> bytes);

// Total size of header plus load commands (what parseKernelMachO needs), or
// nullopt when `first32` is not a plausible kernel header.
std::optional<std::size_t> kernelHeaderExtent(std::span<const std::uint8_t> first32);

// Parses header and load commands from `bytes` (header + sizeofcmds at least).
// Returns nullopt and sets `whyNot` when the bytes are not a usable kernel header.
std::optional<KernelMachO> parseKernelMachO(std::span<const std::uint8_t> bytes,
                                            std::string* whyNot = nullptr);

}  // namespace xnuscope
