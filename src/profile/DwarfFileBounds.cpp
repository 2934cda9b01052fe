#include "profile/DwarfFileBounds.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <vector>

#include "core/Error.h"
#include "core/Hex.h"
#include "core/LittleEndian.h"
#include "core/MachO.h"

namespace xnuscope {
namespace {

constexpr std::uint32_t kLoadCommandSymtab = 0x2;
constexpr std::size_t kSegment64Size = 72;  // sizeof(segment_command_64)
constexpr std::size_t kSection64Size = 80;  // sizeof(section_64)
constexpr std::size_t kFatArchSize = 20;    // sizeof(fat_arch)
constexpr std::uint32_t kMaxFatArchs = 64;

std::vector<std::uint8_t> readAt(std::ifstream& in, std::uint64_t offset, std::uint64_t length) {
  std::vector<std::uint8_t> bytes(length);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(length));
  if (static_cast<std::uint64_t>(in.gcount()) != length) {
    throw InputError("cannot read " + std::to_string(length) + " bytes at offset " +
                     std::to_string(offset));
  }
  return bytes;
}

// [offset, offset + length) inside [0, size), without overflow.
bool inside(std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
  return offset <= size && length <= size - offset;
}

std::uint32_t bigEndian32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return static_cast<std::uint32_t>(bytes[offset]) << 24 |
         static_cast<std::uint32_t>(bytes[offset + 1]) << 16 |
         static_cast<std::uint32_t>(bytes[offset + 2]) << 8 | bytes[offset + 3];
}

void checkSlice(std::ifstream& in, std::uint64_t sliceOffset, std::uint64_t sliceSize,
                const std::string& where) {
  if (sliceSize < macho::kHeaderSize64) throw InputError(where + ": too short for a Mach-O header");
  const auto header = readAt(in, sliceOffset, macho::kHeaderSize64);
  if (loadLittleEndianOr<std::uint32_t>(header, 0) != macho::kMagic64) {
    throw InputError(where +
                     ": not a 64-bit Mach-O (a dSYM's Contents/Resources/DWARF/ file is one)");
  }
  const auto ncmds = loadLittleEndianOr<std::uint32_t>(header, 16);
  const auto sizeofcmds = loadLittleEndianOr<std::uint32_t>(header, 20);
  if (!inside(macho::kHeaderSize64, sizeofcmds, sliceSize) || ncmds > sizeofcmds / 8) {
    throw InputError(where + ": the header declares " + std::to_string(ncmds) +
                     " load commands in " + std::to_string(sizeofcmds) + " bytes, which the " +
                     std::to_string(sliceSize) + "-byte file cannot hold");
  }
  const auto commands = readAt(in, sliceOffset + macho::kHeaderSize64, sizeofcmds);
  const std::span<const std::uint8_t> all(commands);
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < ncmds; ++i) {
    const std::string command = where + ": load command " + std::to_string(i);
    const auto cmd = loadLittleEndian<std::uint32_t>(all, at);
    const auto cmdsize = loadLittleEndian<std::uint32_t>(all, at + 4);
    if (!cmd || !cmdsize || *cmdsize < 8 || !inside(at, *cmdsize, all.size())) {
      throw InputError(command + " runs past the declared load commands");
    }
    const auto body = all.subspan(at, *cmdsize);
    if (*cmd == macho::kLoadCommandSegment64) {
      const auto nsects = loadLittleEndianOr<std::uint32_t>(body, 64);
      if (body.size() < kSegment64Size ||
          nsects > (body.size() - kSegment64Size) / kSection64Size) {
        throw InputError(command + " (LC_SEGMENT_64) declares " + std::to_string(nsects) +
                         " sections that its " + std::to_string(body.size()) +
                         " bytes cannot hold");
      }
      const auto fileoff = loadLittleEndianOr<std::uint64_t>(body, 40);
      const auto filesize = loadLittleEndianOr<std::uint64_t>(body, 48);
      if (!inside(fileoff, filesize, sliceSize)) {
        throw InputError(command + " (LC_SEGMENT_64) covers file bytes " + hex(fileoff) + "+" +
                         hex(filesize) + ", past the end of the file");
      }
      for (std::uint32_t s = 0; s < nsects; ++s) {
        const auto section = body.subspan(kSegment64Size + s * kSection64Size, kSection64Size);
        const auto size = loadLittleEndianOr<std::uint64_t>(section, 40);
        const auto offset = loadLittleEndianOr<std::uint32_t>(section, 48);
        const auto reloff = loadLittleEndianOr<std::uint32_t>(section, 56);
        const auto nreloc = loadLittleEndianOr<std::uint32_t>(section, 60);
        const auto type = loadLittleEndianOr<std::uint32_t>(section, 64) & 0xff;
        const bool zeroFill = type == 0x1 || type == 0xc || type == 0x12;  // S_*ZEROFILL
        if ((!zeroFill && offset != 0 && !inside(offset, size, sliceSize)) ||
            (nreloc != 0 && !inside(reloff, std::uint64_t{nreloc} * 8, sliceSize))) {
          throw InputError(command + " section " + std::to_string(s) +
                           " lies past the end of the file");
        }
      }
    } else if (*cmd == kLoadCommandSymtab) {
      const auto symoff = loadLittleEndianOr<std::uint32_t>(body, 8);
      const auto nsyms = loadLittleEndianOr<std::uint32_t>(body, 12);
      const auto stroff = loadLittleEndianOr<std::uint32_t>(body, 16);
      const auto strsize = loadLittleEndianOr<std::uint32_t>(body, 20);
      if (body.size() < 24 || !inside(symoff, std::uint64_t{nsyms} * 16, sliceSize) ||
          !inside(stroff, strsize, sliceSize)) {
        throw InputError(command +
                         " (LC_SYMTAB) declares a symbol or string table past the end "
                         "of the file");
      }
    }
    at += *cmdsize;
  }
}

}  // namespace

void checkDwarfFileBounds(const std::string& path) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError("cannot read DWARF file " + path + ": " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open DWARF file " + path);
  const std::string where = "DWARF file " + path;
  try {
    if (size >= 8) {
      const auto head = readAt(in, 0, 8);
      if (loadLittleEndianOr<std::uint32_t>(head, 0) == macho::kFatCigam) {
        const std::uint32_t count = bigEndian32(head, 4);
        if (count == 0 || count > kMaxFatArchs || !inside(8, count * kFatArchSize, size)) {
          throw InputError(where + ": a fat header with " + std::to_string(count) +
                           " architectures the file cannot hold");
        }
        const auto archs = readAt(in, 8, count * kFatArchSize);
        for (std::uint32_t i = 0; i < count; ++i) {
          const std::uint32_t offset = bigEndian32(archs, i * kFatArchSize + 8);
          const std::uint32_t length = bigEndian32(archs, i * kFatArchSize + 12);
          const std::string slice = where + " (slice " + std::to_string(i) + ")";
          if (!inside(offset, length, size))
            throw InputError(slice + " lies past the end of the file");
          checkSlice(in, offset, length, slice);
        }
        return;
      }
    }
    checkSlice(in, 0, size, where);
  } catch (const InputError& error) {
    throw InputError(std::string(error.what()) +
                     "; give the .dSYM bundle of the kernel, from its Kernel Debug Kit");
  }
}

}  // namespace xnuscope
