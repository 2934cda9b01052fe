// The x86_64 lowGlo page (osfmk/x86_64/lowglobals.h): a page-aligned record that
// starts "Catfish " + 8 zero bytes and points at the kernel's text and banner. Its
// physical page is always present, so it is a profile-free anchor.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace xnuscope {

struct LowGlobals {
  std::uint64_t pa = 0;
  std::uint64_t textStart = 0;  // lgStext (+0x10): slid start of the __TEXT segment
  std::uint64_t versionVa = 0;  // lgVersion (+0x30): slid address of the _version banner
  std::uint64_t kmodVa = 0;     // lgKmodptr (+0x8f8)
  // lgOSVersion (+0x920): pointer to the `osversion` string (BuildIdentification.h).

  static constexpr std::size_t kTextStartOffset = 0x10;
  static constexpr std::size_t kVersionOffset = 0x30;
  static constexpr std::size_t kKmodOffset = 0x8f8;
  static constexpr std::size_t kOsVersionOffset = 0x920;

  // True when the first 16 bytes are the "Catfish " signature.
  static bool matchesSignature(std::span<const std::uint8_t> first16);
  // Parses a whole page (>= 0x900 bytes); nullopt when the signature is absent.
  static std::optional<LowGlobals> parse(std::uint64_t pa, std::span<const std::uint8_t> page);
};

}  // namespace xnuscope
