#include "mmu/VirtualMemory.h"

#include <algorithm>
#include <vector>

namespace xnuscope {

std::size_t VirtualMemory::read(std::uint64_t va, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t at = va + done;
    if (done != 0 && at == 0) break;  // wrapped past the top of the address space
    const auto translation = translator_.translate(at);
    if (!translation) break;
    // Stay inside the page (of whatever size) that this translation covers.
    const std::uint64_t inPage = translation->pageSize - (at & (translation->pageSize - 1));
    const std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(inPage, out.size() - done));
    const std::size_t got = memory_.read(translation->pa, out.subspan(done, chunk));
    done += got;
    if (got < chunk) break;
  }
  return done;
}

std::optional<std::string> VirtualMemory::readCString(std::uint64_t va,
                                                      std::size_t maxLength) const {
  std::string text;
  // Read in page-bounded pieces so that a short string near an unmapped page still
  // reads, and a long one does not fetch far beyond its NUL.
  std::uint8_t buffer[256];
  while (text.size() < maxLength) {
    const std::uint64_t at = va + text.size();
    const std::size_t toPageEnd = 0x1000 - (at & 0xfff);
    const std::size_t want = std::min({sizeof buffer, toPageEnd, maxLength - text.size()});
    const std::size_t got = read(at, std::span<std::uint8_t>(buffer, want));
    const auto* nul = std::find(buffer, buffer + got, 0);
    text.append(reinterpret_cast<const char*>(buffer), nul - buffer);
    if (nul != buffer + got) return text;
    if (got < want) return std::nullopt;
  }
  return text;
}

}  // namespace xnuscope
