#include "xnu/KextRecord.h"

namespace xnuscope {

std::string decodeOsKextVersion(std::uint64_t packed) {
  const std::uint64_t major = packed / 100000000ull;
  const std::uint64_t minor = packed / 1000000ull % 100;
  const std::uint64_t revision = packed / 10000ull % 100;
  const std::uint64_t stage = packed / 1000ull % 10;
  const std::uint64_t level = packed % 1000;
  std::string text = std::to_string(major) + "." + std::to_string(minor);
  if (revision != 0) text += "." + std::to_string(revision);
  // libkern OSKextVersion stages: 1 development, 3 alpha, 5 beta, 7 candidate, 9 release.
  const char* suffix = stage == 1   ? "d"
                       : stage == 3 ? "a"
                       : stage == 5 ? "b"
                       : stage == 7 ? "fc"
                                    : "";
  if (*suffix) text += suffix + std::to_string(level);
  return text;
}

}  // namespace xnuscope
