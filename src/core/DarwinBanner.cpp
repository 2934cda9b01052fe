#include "core/DarwinBanner.h"

#include <cctype>
#include <charconv>

namespace xnuscope {
namespace {

bool isVersionChar(char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }

// The run of digits and dots starting at `from`.
std::string_view versionRun(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && isVersionChar(text[end])) ++end;
  return text.substr(from, end - from);
}

}  // namespace

std::optional<DarwinBanner> DarwinBanner::parse(std::string_view text) {
  if (!text.starts_with(kBannerPrefix)) return std::nullopt;
  const std::string_view rest = text.substr(kBannerPrefix.size());
  DarwinBanner banner;
  const char* end = rest.data() + rest.size();
  const auto [afterMajor, majorError] = std::from_chars(rest.data(), end, banner.major);
  if (majorError != std::errc() || afterMajor == end || *afterMajor != '.') return std::nullopt;
  const auto [afterMinor, minorError] = std::from_chars(afterMajor + 1, end, banner.minor);
  if (minorError != std::errc()) return std::nullopt;
  (void)afterMinor;
  banner.darwinVersion = std::string(versionRun(rest, 0));
  banner.xnuVersion = xnuVersionFromBanner(text);
  banner.xnuBuildTag = banner.xnuVersion;
  if (!banner.xnuVersion.empty()) {
    const std::size_t at = text.find(banner.xnuVersion) + banner.xnuVersion.size();
    if (at < text.size() && text[at] == '~') {
      std::size_t stop = at + 1;
      while (stop < text.size() && std::isdigit(static_cast<unsigned char>(text[stop]))) ++stop;
      if (stop > at + 1) banner.xnuBuildTag += std::string(text.substr(at, stop - at));
    }
  }
  return banner;
}

std::string xnuVersionFromBanner(std::string_view banner) {
  const auto start = banner.find("xnu-");
  if (start == std::string_view::npos) return {};
  const std::string_view digits = versionRun(banner, start + 4);
  if (digits.empty()) return {};
  return "xnu-" + std::string(digits);
}

std::string darwinVersionFromBanner(std::string_view banner) {
  const auto start = banner.find(kBannerPrefix);
  if (start == std::string_view::npos) return {};
  return std::string(versionRun(banner, start + kBannerPrefix.size()));
}

std::string normalizeBanner(std::string_view banner) {
  banner = banner.substr(0, banner.find('\0'));
  std::string normal;
  bool lastSpace = true;  // drops leading whitespace
  for (const char c : banner) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && lastSpace) continue;
    normal += space ? ' ' : c;
    lastSpace = space;
  }
  if (!normal.empty() && normal.back() == ' ') normal.pop_back();
  return normal;
}

}  // namespace xnuscope
