// Network interfaces: _ifnet_head (TAILQ) → ifnet.if_link.tqe_next; each
// interface's name (if_xname, or if_name + if_unit) and its addresses from
// if_addrhead (TAILQ of ifaddr by ifa_link) → ifa_addr → sockaddr: AF_INET
// (sockaddr_in.sin_addr), AF_INET6 (sockaddr_in6.sin6_addr), AF_LINK
// (sockaddr_dl: sdl_nlen name bytes, then sdl_alen address bytes in sdl_data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct InterfaceLayout {
  std::uint64_t symIfnetHead = 0;
  std::uint64_t ifLink = 0, ifName = 0, ifUnit = 0, ifIndex = 0, ifAddrHead = 0;
  std::optional<std::uint64_t> ifXname;  // char * in 10.x
  std::uint64_t ifaLink = 0, ifaAddr = 0;
  std::uint64_t saFamily = 0, sinAddr = 0, sin6Addr = 0, sdlNlen = 0, sdlAlen = 0, sdlData = 0;
  static InterfaceLayout fromProfile(const Profile& profile);
};

struct InterfaceAddress {
  std::string family;  // "inet", "inet6", "link", or "af N"
  std::string address;
};

struct InterfaceRecord {
  std::string name;
  std::uint32_t index = 0;
  std::uint64_t address = 0;
  std::vector<InterfaceAddress> addresses;
};

struct InterfaceListing {
  std::vector<InterfaceRecord> interfaces;
  WalkStatus status;
};

class InterfaceWalker {
 public:
  static constexpr std::size_t kMaxInterfaces = 4096;
  static constexpr std::size_t kMaxAddresses = 4096;
  InterfaceWalker(const XnuKernel& kernel, const InterfaceLayout& layout)
      : kernel_(kernel), layout_(layout) {}
  InterfaceListing walk() const;

 private:
  void readAddresses(std::uint64_t ifnet, InterfaceRecord& record, WalkStatus& status) const;
  const XnuKernel& kernel_;
  const InterfaceLayout& layout_;
};

}  // namespace xnuscope
