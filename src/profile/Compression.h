// Whole-buffer (de)compression for profile files: gzip (.json.gz ISF) and xz
// (.json.xz ISF, symbols/*.txt.xz) are read by libarchive, bounded by
// kMaxDecompressedProfileBytes; xz is written by liblzma. Profile files are a few
// MB, so whole-buffer is the simple right choice.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace xnuscope {

std::string gunzip(std::span<const std::uint8_t> input, const std::string& origin);
std::string unxz(std::span<const std::uint8_t> input, const std::string& origin);
// Deterministic: the same input always gives the same bytes (preset 6, CRC64).
std::string xz(const std::string& input);

bool isGzip(std::span<const std::uint8_t> input);
bool isXz(std::span<const std::uint8_t> input);

}  // namespace xnuscope
