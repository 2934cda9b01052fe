#include "kernel/KernelMachO.h"

#include <LIEF/MachO.hpp>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/LittleEndian.h"

namespace xnuscope {
namespace {

constexpr std::size_t kHeaderSize = macho::kHeaderSize64;
// Real kernels have ~20 load commands and < 16 KiB of them; a KC has a few hundred
// fileset entries. Anything beyond is not a kernel header.
constexpr std::uint32_t kMaxCommands = 4096;
constexpr std::uint32_t kMaxSizeOfCommands = 1u << 20;

std::uint32_t u32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return loadLittleEndianOr<std::uint32_t>(bytes, at);
}
std::uint64_t u64(std::span<const std::uint8_t> bytes, std::size_t at) {
  return loadLittleEndianOr<std::uint64_t>(bytes, at);
}

void setReason(std::string* whyNot, std::string reason) {
  if (whyNot) *whyNot = std::move(reason);
}

// Calls `visit(cmd, command)` for each of the first `ncmds` load commands after the
// header, `command` holding its cmdsize bytes; stops at the first command that is
// shorter than 8 bytes or runs past `bytes`.
template <typename Visit>
void forEachLoadCommand(std::span<const std::uint8_t> bytes, std::uint32_t ncmds, Visit&& visit) {
  std::size_t at = kHeaderSize;
  for (std::uint32_t i = 0; i < ncmds && at + 8 <= bytes.size(); ++i) {
    const std::uint32_t size = u32(bytes, at + 4);
    if (size < 8 || size > bytes.size() - at) break;
    visit(u32(bytes, at), bytes.subspan(at, size));
    at += size;
  }
}

// The NUL-terminated text at `offset` of `bytes`, at most `max` bytes (and never
// past the end).
std::string textAt(std::span<const std::uint8_t> bytes, std::size_t offset, std::size_t max) {
  if (offset >= bytes.size()) return {};
  const auto field = bytes.subspan(offset, std::min(max, bytes.size() - offset));
  const auto end = std::find(field.begin(), field.end(), std::uint8_t{0});
  return std::string(field.begin(), end);
}

// LC_FILESET_ENTRY: cmd, cmdsize, vmaddr, fileoff, entry_id (lc_str offset), reserved.
std::vector<FilesetEntry> readFilesetEntries(std::span<const std::uint8_t> bytes,
                                             std::uint32_t ncmds) {
  std::vector<FilesetEntry> entries;
  forEachLoadCommand(bytes, ncmds, [&](std::uint32_t cmd, std::span<const std::uint8_t> command) {
    if (cmd != macho::kLoadCommandFilesetEntry || command.size() < 32) return;
    FilesetEntry entry;
    entry.vmaddr = u64(command, 8);
    entry.fileoff = u64(command, 16);
    entry.id = textAt(command, u32(command, 24), command.size());
    entries.push_back(std::move(entry));
  });
  return entries;
}

// LC_SEGMENT_64 walked by hand: used for the fileset header itself, which LIEF
// 0.9 does not understand as a whole.
std::vector<MachOSegment> readSegments(std::span<const std::uint8_t> bytes, std::uint32_t ncmds) {
  std::vector<MachOSegment> segments;
  forEachLoadCommand(bytes, ncmds, [&](std::uint32_t cmd, std::span<const std::uint8_t> command) {
    if (cmd != macho::kLoadCommandSegment64 || command.size() < 72) return;
    MachOSegment segment;
    segment.name = textAt(command, 8, 16);
    segment.vmaddr = u64(command, 24);
    segment.vmsize = u64(command, 32);
    segment.fileoff = u64(command, 40);
    segment.filesize = u64(command, 48);
    segments.push_back(std::move(segment));
  });
  return segments;
}

}  // namespace

const MachOSegment* KernelMachO::segment(std::string_view name) const {
  for (const auto& s : segments) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const FilesetEntry* KernelMachO::filesetEntry(std::string_view id) const {
  for (const auto& e : filesetEntries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

std::string KernelMachO::uuidString() const {
  return uuid ? macho::uuidText(*uuid) : std::string();
}

bool looksLikeKernelHeader(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 16) return false;
  if (u32(bytes, 0) != macho::kMagic64 || u32(bytes, 4) != macho::kCpuTypeX86_64) return false;
  const std::uint32_t fileType = u32(bytes, 12);
  return fileType == kMachOExecute || fileType == kMachOFileset;
}

std::optional<std::size_t> kernelHeaderExtent(std::span<const std::uint8_t> first32) {
  if (first32.size() < kHeaderSize || !looksLikeKernelHeader(first32)) return std::nullopt;
  const std::uint32_t ncmds = u32(first32, 16);
  const std::uint32_t sizeofcmds = u32(first32, 20);
  if (ncmds == 0 || ncmds > kMaxCommands || sizeofcmds > kMaxSizeOfCommands) return std::nullopt;
  return kHeaderSize + sizeofcmds;
}

std::optional<KernelMachO> parseKernelMachO(std::span<const std::uint8_t> bytes,
                                            std::string* whyNot) {
  const auto extent = kernelHeaderExtent(bytes.first(std::min<std::size_t>(bytes.size(), 32)));
  if (!extent) {
    setReason(whyNot, "not a 64-bit x86_64 MH_EXECUTE/MH_FILESET header");
    return std::nullopt;
  }
  if (*extent > bytes.size()) {
    setReason(whyNot, "load commands run past the readable bytes");
    return std::nullopt;
  }
  bytes = bytes.first(*extent);
  // Every load command must fit, in order, inside sizeofcmds; LIEF does not check
  // that (a cmdsize of 0 made it read the first command ncmds times).
  {
    std::size_t at = kHeaderSize;
    const std::uint32_t count = u32(bytes, 16);
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t size = at + 8 <= bytes.size() ? u32(bytes, at + 4) : 0;
      if (size < 8 || size % 8 != 0 || size > bytes.size() - at) {
        setReason(whyNot, "load command " + std::to_string(i) + " has size " +
                              std::to_string(size) + ", outside the header's load commands");
        return std::nullopt;
      }
      at += size;
    }
  }
  KernelMachO image;
  image.fileType = u32(bytes, 12);
  image.flags = u32(bytes, 24);
  image.sizeOfCommands = u32(bytes, 20);
  const std::uint32_t ncmds = u32(bytes, 16);

  if (image.fileType == kMachOFileset) {
    image.segments = readSegments(bytes, ncmds);
    image.filesetEntries = readFilesetEntries(bytes, ncmds);
    if (image.filesetEntries.empty()) {
      setReason(whyNot, "MH_FILESET header without LC_FILESET_ENTRY commands");
      return std::nullopt;
    }
    return image;
  }

  // MH_EXECUTE: LIEF reads segments, UUID and LC_SYMTAB. It is given only the
  // header and load commands; segment contents are not in the buffer (in memory
  // they sit at their VAs, not at file offsets) and LIEF tolerates that.
  try {
    const std::vector<std::uint8_t> buffer(bytes.begin(), bytes.end());
    auto fat = LIEF::MachO::Parser::parse(buffer, "kernel", LIEF::MachO::ParserConfig::quick());
    if (!fat || fat->size() == 0) {
      setReason(whyNot, "LIEF could not parse the header");
      return std::nullopt;
    }
    const LIEF::MachO::Binary& binary = fat->at(0);
    for (const auto& segment : binary.segments()) {
      image.segments.push_back(MachOSegment{segment.name(), segment.virtual_address(),
                                            segment.virtual_size(), segment.file_offset(),
                                            segment.file_size()});
    }
    if (binary.has_uuid()) {
      const auto& raw = binary.uuid().uuid();
      std::array<std::uint8_t, 16> uuid{};
      std::copy(raw.begin(), raw.end(), uuid.begin());
      image.uuid = uuid;
    }
    if (binary.has_symbol_command()) {
      const auto& symtab = binary.symbol_command();
      image.symtab = MachOSymtab{symtab.symbol_offset(), symtab.numberof_symbols(),
                                 symtab.strings_offset(), symtab.strings_size()};
    }
  } catch (const std::exception& error) {
    setReason(whyNot, std::string("LIEF rejected the header: ") + error.what());
    return std::nullopt;
  }
  if (!image.segment("__TEXT")) {
    setReason(whyNot, "no __TEXT segment");
    return std::nullopt;
  }
  return image;
}

}  // namespace xnuscope
