#include "xnu/InterfaceWalker.h"

#include <array>
#include <cstdio>
#include <unordered_set>

#include "core/Hex.h"
#include "xnu/ProfileFields.h"
#include "xnu/SocketDecoder.h"

namespace xnuscope {

namespace {
constexpr std::uint8_t kAfInet = 2, kAfInet6 = 30, kAfLink = 18;
}

InterfaceLayout InterfaceLayout::fromProfile(const Profile& profile) {
  const ProfileFields f(profile, "ifconfig");
  InterfaceLayout layout;
  layout.symIfnetHead = f.symbol({"_ifnet_head"});
  layout.ifLink = f.offset("ifnet", "if_link");
  layout.ifName = f.offset("ifnet", "if_name");
  layout.ifUnit = f.offset("ifnet", "if_unit");
  layout.ifIndex = f.offset("ifnet", "if_index");
  layout.ifAddrHead = f.offset("ifnet", "if_addrhead");
  layout.ifXname = f.optionalOffset("ifnet", "if_xname");
  layout.ifaLink = f.offset("ifaddr", "ifa_link");
  layout.ifaAddr = f.offset("ifaddr", "ifa_addr");
  layout.saFamily = f.offset("sockaddr", "sa_family");
  layout.sinAddr = f.offset("sockaddr_in", "sin_addr");
  layout.sin6Addr = f.offset("sockaddr_in6", "sin6_addr");
  layout.sdlNlen = f.offset("sockaddr_dl", "sdl_nlen");
  layout.sdlAlen = f.offset("sockaddr_dl", "sdl_alen");
  layout.sdlData = f.offset("sockaddr_dl", "sdl_data");
  return layout;
}

void InterfaceWalker::readAddresses(std::uint64_t ifnet, InterfaceRecord& record,
                                    WalkStatus& status) const {
  const VirtualMemory& memory = kernel_.memory();
  const auto first = memory.readPointer(ifnet + layout_.ifAddrHead);
  if (!first) {
    status.incomplete(record.name + ": if_addrhead is unreadable");
    return;
  }
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t ifa = *first; ifa != 0;) {
    if (!isPlausibleKernelPointer(ifa) || !seen.insert(ifa).second || seen.size() > kMaxAddresses) {
      status.incomplete(record.name + ": address list reaches " + hex(ifa) +
                        " (cycle, limit or bad pointer)");
      return;
    }
    const auto sa = memory.readPointer(ifa + layout_.ifaAddr);
    const auto next = memory.readPointer(ifa + layout_.ifaLink);
    const auto family =
        sa && isPlausibleKernelPointer(*sa) ? memory.readU8(*sa + layout_.saFamily) : std::nullopt;
    if (!next || !family) {
      status.incomplete(record.name + ": ifaddr " + hex(ifa) + " is unreadable");
      return;
    }
    InterfaceAddress address;
    std::array<std::uint8_t, 16> bytes{};
    if (*family == kAfInet && memory.readExact(*sa + layout_.sinAddr, std::span(bytes.data(), 4))) {
      address = {"inet", formatInternetAddress(bytes.data(), false)};
    } else if (*family == kAfInet6 && memory.readExact(*sa + layout_.sin6Addr, bytes)) {
      address = {"inet6", formatInternetAddress(bytes.data(), true)};
    } else if (*family == kAfLink) {
      const auto nlen = memory.readU8(*sa + layout_.sdlNlen);
      const auto alen = memory.readU8(*sa + layout_.sdlAlen);
      if (nlen && alen && *alen > 0 && *alen <= 16 &&
          memory.readExact(*sa + layout_.sdlData + *nlen, std::span(bytes.data(), *alen))) {
        std::string text;
        for (std::uint8_t i = 0; i < *alen; ++i) {
          char part[4];
          std::snprintf(part, sizeof part, "%02x", bytes[i]);
          text += (i ? ":" : "") + std::string(part);
        }
        address = {"link", text};
      }
    } else {
      address = {"af " + std::to_string(*family), ""};
    }
    if (!address.family.empty()) record.addresses.push_back(address);
    ifa = *next;
  }
}

InterfaceListing InterfaceWalker::walk() const {
  const VirtualMemory& memory = kernel_.memory();
  InterfaceListing listing;
  const auto first = memory.readPointer(*kernel_.runtime(layout_.symIfnetHead));
  if (!first) {
    listing.status.incomplete("_ifnet_head is unreadable");
    return listing;
  }
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t ifp = *first; ifp != 0;) {
    if (!isPlausibleKernelPointer(ifp) || !seen.insert(ifp).second ||
        seen.size() > kMaxInterfaces) {
      listing.status.incomplete("interface list reaches " + hex(ifp) +
                                " (cycle, limit or bad pointer)");
      break;
    }
    InterfaceRecord record;
    record.address = ifp;
    std::optional<std::string> name;
    if (layout_.ifXname) {
      if (const auto xname = memory.readPointer(ifp + *layout_.ifXname); xname && *xname) {
        name = memory.readCString(*xname, 32);
      }
    }
    if (!name) {
      const auto base = memory.readPointer(ifp + layout_.ifName);
      const auto unit = memory.readU16(ifp + layout_.ifUnit);
      const auto text = base ? memory.readCString(*base, 32) : std::nullopt;
      if (text && unit) name = *text + std::to_string(static_cast<std::int16_t>(*unit));
    }
    const auto next = memory.readPointer(ifp + layout_.ifLink);
    if (!name || !next) {
      listing.status.incomplete("ifnet " + hex(ifp) + " is unreadable; list ends there");
      break;
    }
    record.name = *name;
    record.index = memory.readU16(ifp + layout_.ifIndex).value_or(0);
    readAddresses(ifp, record, listing.status);
    listing.interfaces.push_back(std::move(record));
    ifp = *next;
  }
  return listing;
}

}  // namespace xnuscope
