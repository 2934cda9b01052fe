// Byte-level facts of the Haywire beacon protocol (docs/beacons.md): page size,
// magic, and the field offsets of Layout A (versioned) and Layout B (the reference
// macOS companion). All integers are little-endian; loads never assume alignment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/LittleEndian.h"

namespace xnuscope::beacon {

inline constexpr std::size_t kPageSize = 4096;
inline constexpr std::uint32_t kMagic = 0x3142FACE;

// Field loads from a page or an entry in it, through core/LittleEndian.h: a field
// that does not lie inside `bytes` reads as 0.
using Bytes = std::span<const std::uint8_t>;
inline std::uint8_t loadU8(Bytes bytes, std::size_t offset) {
  return loadLittleEndianOr<std::uint8_t>(bytes, offset);
}
inline std::uint16_t loadU16(Bytes bytes, std::size_t offset) {
  return loadLittleEndianOr<std::uint16_t>(bytes, offset);
}
inline std::uint32_t loadU32(Bytes bytes, std::size_t offset) {
  return loadLittleEndianOr<std::uint32_t>(bytes, offset);
}
inline std::uint64_t loadU64(Bytes bytes, std::size_t offset) {
  return loadLittleEndianOr<std::uint64_t>(bytes, offset);
}
// The entry that starts at `offset` of `bytes` (empty when it starts past the end).
inline Bytes entryAt(Bytes bytes, std::size_t offset) {
  return offset <= bytes.size() ? bytes.subspan(offset) : Bytes();
}

// Text from a fixed-size, NUL-padded field at `offset`: stops at the first NUL (or
// the field's end, or that of `bytes`) and replaces bytes that are not printable
// ASCII with '?', so a garbage page can never put control characters on the user's
// terminal.
inline std::string fixedString(Bytes bytes, std::size_t offset, std::size_t size) {
  const Bytes field = entryAt(bytes, offset);
  std::string text;
  for (std::size_t i = 0; i < size && i < field.size() && field[i] != 0; ++i) {
    text.push_back(field[i] >= 0x20 && field[i] < 0x7F ? static_cast<char>(field[i]) : '?');
  }
  return text;
}

// A one-letter process state, or '?' when the byte is not a printable letter.
inline char stateLetter(std::uint8_t byte) {
  return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ? static_cast<char>(byte)
                                                                      : '?';
}

// Layout A: every page has this header and a version word at the very end.
namespace layout_a {
inline constexpr std::size_t kVersionTop = 4;
inline constexpr std::size_t kSession = 8;
inline constexpr std::size_t kCategory = 12;
inline constexpr std::size_t kIndex = 16;
inline constexpr std::size_t kTimestamp = 20;
inline constexpr std::size_t kVersionBottom = 4092;

inline constexpr std::uint32_t kCategoryMaster = 0;
inline constexpr std::uint32_t kCategoryPid = 1;
inline constexpr std::uint32_t kCategoryCamera1 = 2;
inline constexpr std::uint32_t kCategoryCamera2 = 3;
inline constexpr std::uint32_t kCategoryCount = 4;
// Highest category_index we accept. Writers use 1, 16 (or 32) and 200 pages per
// category; anything far beyond is not a beacon page.
inline constexpr std::uint32_t kMaxIndex = 4095;

// Master page: four {base_offset, page_count, write_index, sequence} slots.
inline constexpr std::size_t kMasterSlots = 24;
inline constexpr std::size_t kMasterSlotSize = 16;

// PID page.
inline constexpr std::size_t kPidGeneration = 24;
inline constexpr std::size_t kPidTotal = 28;
inline constexpr std::size_t kPidInPage = 32;
inline constexpr std::size_t kPidEntries = 36;
inline constexpr std::size_t kPidEntrySize = 48;
inline constexpr std::uint32_t kMaxPidsPerPage = 84;
inline constexpr std::size_t kCommSize = 16;

// Camera pages: index 0 is the control page, 1.. are data pages.
inline constexpr std::size_t kCameraTargetPid = 24;
inline constexpr std::size_t kCameraEntryCount = 28;
inline constexpr std::size_t kCameraContinuation = 30;
inline constexpr std::size_t kCameraStream = 32;
inline constexpr std::size_t kCameraStreamSize = 4060;
inline constexpr std::size_t kControlStatus = 28;
inline constexpr std::size_t kControlCurrentPid = 32;

inline constexpr std::uint8_t kEntrySection = 0x01;
inline constexpr std::uint8_t kEntryPte = 0x02;
inline constexpr std::uint8_t kEntryEnd = 0xFF;
inline constexpr std::size_t kSectionSize = 96;
inline constexpr std::size_t kPteSize = 24;
inline constexpr std::size_t kPathSize = 64;

inline constexpr std::uint32_t kPermRead = 0x01;
inline constexpr std::uint32_t kPermWrite = 0x02;
inline constexpr std::uint32_t kPermExec = 0x04;
inline constexpr std::uint32_t kPermPrivate = 0x08;
inline constexpr std::uint32_t kPermShared = 0x10;
inline constexpr std::uint32_t kPtePresent = 0x01;

// The reference writer's placeholder when it cannot read pagemap.
inline constexpr std::uint64_t kMadeUpPteBase = 0x40000000;
}  // namespace layout_a

// Layout B: 16-byte header, no version words, rewritten in place every second.
namespace layout_b {
inline constexpr std::size_t kSession = 4;
inline constexpr std::size_t kType = 8;
inline constexpr std::size_t kTypeIndex = 12;
inline constexpr std::uint32_t kTypeControl = 1;
inline constexpr std::uint32_t kTypeProcessList = 2;
inline constexpr std::uint32_t kTypeSections = 3;  // defined, never written
inline constexpr std::uint32_t kTypeStatus = 4;    // defined, never written
// The writer fills the first 16 words of its area's page 0 with the magic and then
// overwrites words 0..3 with the control header: words 4..15 keep the magic.
inline constexpr std::size_t kControlMagicWords = 16;

inline constexpr std::size_t kCount = 16;
inline constexpr std::size_t kTotal = 20;
inline constexpr std::size_t kContinuation = 24;
inline constexpr std::uint32_t kContinuationValue = 0xFFFFFFFF;
inline constexpr std::size_t kEntries = 28;
inline constexpr std::size_t kEntrySize = 108;
inline constexpr std::size_t kNameSize = 64;
inline constexpr std::uint32_t kEntriesWritten = 40;  // per page, by the writer
inline constexpr std::uint32_t kEntriesThatFit = 37;  // (4096 - 28) / 108
inline constexpr std::uint32_t kMaxProcesses = 1000;
inline constexpr std::uint32_t kMaxTypeIndex = 2047;  // the writer's area is 2048 pages
}  // namespace layout_b

}  // namespace xnuscope::beacon
