// Mach-O format facts the engine needs in several places (the kernel found in
// memory, a kernel file, the profile generator, malfind): header and load-command
// constants, a header's one-line description, UUID text, and which symbol table
// entries name kernel addresses.
// Values from <mach-o/loader.h> and <mach-o/nlist.h>. Parsing stays with its user
// (kernel/KernelMachO for memory, LIEF for files).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xnuscope::macho {

inline constexpr std::uint32_t kMagic64 = 0xfeedfacf;   // MH_MAGIC_64
inline constexpr std::uint32_t kMagic32 = 0xfeedface;   // MH_MAGIC
inline constexpr std::uint32_t kFatMagic = 0xcafebabe;  // FAT_MAGIC, stored big-endian
inline constexpr std::uint32_t kFatCigam = 0xbebafeca;  // FAT_CIGAM: FAT_MAGIC read little-endian
inline constexpr std::uint32_t kCpuTypeX86_64 = 0x01000007;
inline constexpr std::uint32_t kCpuTypeI386 = 0x7;
inline constexpr std::uint32_t kCpuTypeArm64 = 0x0100000c;
inline constexpr std::uint32_t kFileTypeExecute = 0x2;  // MH_EXECUTE
inline constexpr std::uint32_t kFileTypeFileset = 0xc;  // MH_FILESET (macOS 11+ KC)
inline constexpr std::size_t kHeaderSize64 = 32;        // sizeof(mach_header_64)
inline constexpr std::uint32_t kLoadCommandSegment64 = 0x19;
inline constexpr std::uint32_t kLoadCommandFilesetEntry = 0x80000035;

// nlist_64 n_type bits.
inline constexpr std::uint8_t kStabMask = 0xe0;         // N_STAB: debugging entries
inline constexpr std::uint8_t kPrivateExternal = 0x10;  // N_PEXT
inline constexpr std::uint8_t kTypeMask = 0x0e;         // N_TYPE
inline constexpr std::uint8_t kExternal = 0x01;         // N_EXT
inline constexpr std::uint8_t kTypeAbsolute = 0x02;     // N_ABS
inline constexpr std::uint8_t kTypeSection = 0x0e;      // N_SECT

// "MH_BUNDLE (x86_64)" for the 32- or 64-bit Mach-O header that starts `bytes`
// (magic, cputype and filetype read little-endian), "fat (universal) header" for a
// fat one; nullopt for anything else or fewer than 16 bytes.
std::optional<std::string> describeHeader(std::span<const std::uint8_t> bytes);

// "8-4-4-4-12" upper-case hex of an LC_UUID (the form dwarfdump and Volatility
// print); empty unless `uuid` holds 16 bytes.
std::string uuidText(std::span<const std::uint8_t> uuid);

// True for the entries that name a kernel address: defined in a section (N_SECT),
// not debugging (stab) entries. N_ABS entries are left out: their values are
// constants that do not move with the KASLR slide, so treating them as addresses
// would slide them wrongly (the fixture forge takes the same set).
bool isAddressSymbol(std::uint8_t nType);
// N_EXT without N_PEXT.
bool isExternalSymbol(std::uint8_t nType);

// Adds one symbol table entry to `symbols` if it names an address: an external
// definition replaces a same-named local one; a local one never replaces an entry.
void collectAddressSymbol(std::map<std::string, std::uint64_t>& symbols, std::string_view name,
                          std::uint8_t nType, std::uint64_t value);

}  // namespace xnuscope::macho
