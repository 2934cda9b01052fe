// Little-endian integer loads from byte buffers, with bounds checks. Every decoder
// of on-disk or in-memory structures (Mach-O, ELF, LiME, QEMU notes, kmod_info,
// beacons) reads its fields through these instead of its own memcpy helper, so an
// offset past the end is never read, whatever the caller validated before.
#pragma once

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

namespace xnuscope {

// True when [offset, offset + length) lies inside a buffer of `size` bytes
// (overflow-safe).
constexpr bool fitsIn(std::size_t size, std::size_t offset, std::size_t length) {
  return offset <= size && length <= size - offset;
}

// The integer stored little-endian at `offset`, or nullopt when it does not fit.
template <std::integral T>
std::optional<T> loadLittleEndian(std::span<const std::uint8_t> bytes, std::size_t offset) {
  if (!fitsIn(bytes.size(), offset, sizeof(T))) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    using U = std::make_unsigned_t<T>;
    U swapped = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      swapped = static_cast<U>((swapped << 8) | ((static_cast<U>(value) >> (8 * i)) & 0xff));
    }
    value = static_cast<T>(swapped);
  }
  return value;
}

// The same, with `fallback` (0 unless given) when the field lies out of bounds: for
// decoders that checked the buffer's size up front and read many fields.
template <std::integral T>
T loadLittleEndianOr(std::span<const std::uint8_t> bytes, std::size_t offset, T fallback = 0) {
  return loadLittleEndian<T>(bytes, offset).value_or(fallback);
}

// The integer at `offset` built from only the bytes that lie inside the buffer,
// the missing high bytes read as zero: for a bitfield word that a layout places at
// the very end of a struct shorter than the word.
template <std::unsigned_integral T>
T loadLittleEndianClipped(std::span<const std::uint8_t> bytes, std::size_t offset) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T) && offset < bytes.size() && i < bytes.size() - offset;
       ++i) {
    value = static_cast<T>(value | (static_cast<T>(bytes[offset + i]) << (8 * i)));
  }
  return value;
}

// A trivially copyable record (an ELF header, say) copied from `offset`, in host
// byte order, or nullopt when it does not fit.
template <typename T>
requires std::is_trivially_copyable_v<T> std::optional<T> loadRecord(
    std::span<const std::uint8_t> bytes, std::size_t offset) {
  if (!fitsIn(bytes.size(), offset, sizeof(T))) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

}  // namespace xnuscope
