// Whole-buffer (de)compression for profile files: raw DEFLATE (zip members),
// gzip (.json.gz ISF) through zlib, and xz (.json.xz ISF, symbols/*.txt.xz) through
// liblzma. Profile files are a few MB, so whole-buffer is the simple right choice.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace xnuscope {

// `expectedSize` is a bound from the container (zip header); output beyond it is an error.
std::string inflateRaw(std::span<const std::uint8_t> input, std::uint64_t expectedSize,
                       const std::string& origin);
std::string gunzip(std::span<const std::uint8_t> input, const std::string& origin);
std::string unxz(std::span<const std::uint8_t> input, const std::string& origin);
// Deterministic: the same input always gives the same bytes (preset 6, CRC64).
std::string xz(const std::string& input);

bool isGzip(std::span<const std::uint8_t> input);
bool isXz(std::span<const std::uint8_t> input);

}  // namespace xnuscope
