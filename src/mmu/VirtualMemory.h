// Reads guest virtual memory through an AddressTranslator: the one place where
// walkers turn kernel or user pointers into bytes. Reads cross page boundaries and
// stop at the first unmapped page or the first physical hole.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include "mmu/AddressTranslator.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class VirtualMemory {
 public:
  // Both must outlive this object.
  VirtualMemory(const PhysicalMemory& memory, const AddressTranslator& translator)
      : memory_(memory), translator_(translator) {}

  // Copies bytes from `va` into `out`; returns how many leading bytes could be
  // read (< out.size() means [va + result] is unmapped or absent).
  std::size_t read(std::uint64_t va, std::span<std::uint8_t> out) const;
  bool readExact(std::uint64_t va, std::span<std::uint8_t> out) const {
    return read(va, out) == out.size();
  }

  // A trivially copyable value at `va` (little-endian guest).
  template <typename T>
  std::optional<T> readValue(std::uint64_t va) const {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    if (!readExact(
            va, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&value), sizeof value))) {
      return std::nullopt;
    }
    return value;
  }
  std::optional<std::uint64_t> readU64(std::uint64_t va) const {
    return readValue<std::uint64_t>(va);
  }
  std::optional<std::uint32_t> readU32(std::uint64_t va) const {
    return readValue<std::uint32_t>(va);
  }
  std::optional<std::uint16_t> readU16(std::uint64_t va) const {
    return readValue<std::uint16_t>(va);
  }
  std::optional<std::uint8_t> readU8(std::uint64_t va) const { return readValue<std::uint8_t>(va); }
  // A 64-bit guest pointer (same as readU64; says what the value is).
  std::optional<std::uint64_t> readPointer(std::uint64_t va) const { return readU64(va); }

  // A NUL-terminated string of at most `maxLength` bytes (the NUL not counted).
  // Returns the bytes before the NUL, or the first `maxLength` bytes when there is
  // no NUL within them; nullopt when memory ends before either.
  std::optional<std::string> readCString(std::uint64_t va, std::size_t maxLength) const;

  std::optional<Translation> translate(std::uint64_t va) const { return translator_.translate(va); }
  const AddressTranslator& translator() const { return translator_; }
  const PhysicalMemory& physical() const { return memory_; }

 private:
  const PhysicalMemory& memory_;
  const AddressTranslator& translator_;
};

}  // namespace xnuscope
