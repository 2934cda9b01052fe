#include "kernel/KernelBanner.h"

#include <charconv>

namespace xnuscope {

std::optional<KernelBanner> KernelBanner::parse(std::string_view text) {
  if (text.substr(0, kBannerPrefix.size()) != kBannerPrefix) return std::nullopt;
  text.remove_prefix(kBannerPrefix.size());
  KernelBanner banner;
  const char* end = text.data() + text.size();
  auto [afterMajor, e1] = std::from_chars(text.data(), end, banner.major);
  if (e1 != std::errc() || afterMajor == end || *afterMajor != '.') return std::nullopt;
  auto [afterMinor, e2] = std::from_chars(afterMajor + 1, end, banner.minor);
  if (e2 != std::errc()) return std::nullopt;
  (void)afterMinor;
  const auto xnu = text.find("xnu-");
  if (xnu != std::string_view::npos) {
    const auto stop = text.find('/', xnu);
    banner.xnuVersion =
        std::string(text.substr(xnu, stop == std::string_view::npos ? stop : stop - xnu));
  }
  return banner;
}

}  // namespace xnuscope
