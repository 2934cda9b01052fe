#include "profile/BannerText.h"

#include <cctype>

namespace xnuscope {

std::string xnuVersionFromBanner(const std::string& banner) {
  const auto start = banner.find("xnu-");
  if (start == std::string::npos) return {};
  std::size_t end = start + 4;
  while (end < banner.size() &&
         (std::isdigit(static_cast<unsigned char>(banner[end])) || banner[end] == '.')) {
    ++end;
  }
  if (end == start + 4) return {};
  return banner.substr(start, end - start);
}

std::string darwinVersionFromBanner(const std::string& banner) {
  static const std::string prefix = "Darwin Kernel Version ";
  const auto start = banner.find(prefix);
  if (start == std::string::npos) return {};
  std::size_t end = start + prefix.size();
  while (end < banner.size() &&
         (std::isdigit(static_cast<unsigned char>(banner[end])) || banner[end] == '.')) {
    ++end;
  }
  return banner.substr(start + prefix.size(), end - start - prefix.size());
}

std::string normalizeBanner(const std::string& banner) {
  std::string text = banner.substr(0, banner.find('\0'));
  std::string normal;
  bool lastSpace = false;
  for (const char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && lastSpace) continue;
    normal += space ? ' ' : c;
    lastSpace = space;
  }
  while (!normal.empty() && normal.back() == ' ') normal.pop_back();
  while (!normal.empty() && normal.front() == ' ') normal.erase(normal.begin());
  return normal;
}

}  // namespace xnuscope
