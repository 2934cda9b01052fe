// Size limits for profile input, checked before anything is allocated for it. The
// largest real inputs (Volatility 2 mac zips: members up to 8.4 MB; Volatility 3 mac
// ISFs: tens of MB) stay far below them; a decompression bomb or a crafted file
// fails fast with a clear message instead of taking gigabytes of memory.
#pragma once

#include <cstdint>

namespace xnuscope {

// A profile, ISF or symbol file on disk (compressed or not).
inline constexpr std::uint64_t kMaxProfileFileBytes = 256ull << 20;
// One member of a Volatility 2 zip, as declared and as actually inflated.
inline constexpr std::uint64_t kMaxZipMemberBytes = 32ull << 20;
// A .gz/.xz profile or symbol table after decompression.
inline constexpr std::uint64_t kMaxDecompressedProfileBytes = 128ull << 20;
// JSON values in one profile document, and their nesting depth: bounds the memory
// of the parsed tree (a 128 MiB `[0,0,...]` would otherwise need ~1 GiB) and keeps
// deep nesting away from the stack.
inline constexpr std::uint64_t kMaxProfileJsonValues = 8'000'000;
inline constexpr int kMaxProfileJsonDepth = 64;

}  // namespace xnuscope
