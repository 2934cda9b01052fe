// The kernel's `_version` string: "Darwin Kernel Version 17.7.0: <date>;
// root:xnu-4570.71.2~1/RELEASE_X86_64".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xnuscope {

inline constexpr std::string_view kBannerPrefix = "Darwin Kernel Version ";

struct KernelBanner {
  int major = 0;  // Darwin major (17 → macOS 10.13)
  int minor = 0;
  std::string xnuVersion;  // "xnu-4570.71.2~1" (empty when absent)

  // nullopt unless `text` starts with the prefix and a "major.minor" number.
  static std::optional<KernelBanner> parse(std::string_view text);
};

}  // namespace xnuscope
