// Internet sockets from their protocol control blocks: the tcbinfo and udbinfo
// lists (inpcbinfo.ipi_listhead → LIST of inpcb by inp_list) and each inpcb's
// addresses (inp_dependladdr/inp_dependfaddr: an in6_addr, or in_addr_4in6 with
// the IPv4 address in its last 4 bytes), ports (network byte order), IP version
// (inp_vflag) and, for TCP, inp_ppcb → tcpcb.t_state. Bounded, cycle-checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct SocketLayout {
  std::uint64_t symTcbinfo = 0, symUdbinfo = 0;
  std::uint64_t infoListHead = 0;
  std::uint64_t inpList = 0, inpSocket = 0, inpPpcb = 0, inpFport = 0, inpLport = 0, inpVflag = 0;
  std::uint64_t inpFaddr = 0, inpLaddr = 0;
  std::uint64_t ipv4InDepend = 12;  // in_addr_4in6.ia46_addr4
  std::uint64_t tcpState = 0;
  std::uint64_t socketPcb = 0;
  static SocketLayout fromProfile(const Profile& profile);
};

struct InternetSocket {
  std::string protocol;       // "tcp4", "tcp6", "udp4", "udp6"
  std::string local, remote;  // "10.0.2.15:49152", "[2001:db8::1]:443"
  std::string state;          // TCP state name; empty for UDP
  std::uint64_t pcb = 0;
  std::uint64_t socket = 0;
};

struct InternetSocketListing {
  std::vector<InternetSocket> sockets;  // ordered by pcb address
  WalkStatus status;
};

class SocketDecoder {
 public:
  static constexpr std::size_t kMaxPcbs = 100000;
  SocketDecoder(const XnuKernel& kernel, const SocketLayout& layout)
      : kernel_(kernel), layout_(layout) {}

  // Both pcb lists.
  InternetSocketListing walkPcbLists() const;
  // One inpcb (`tcp`: TCP or UDP); nullopt when unreadable.
  std::optional<InternetSocket> decode(std::uint64_t pcb, bool tcp) const;
  // so_pcb of a socket (descriptors lead here).
  std::optional<std::uint64_t> pcbOfSocket(std::uint64_t socket) const;

 private:
  void walkList(std::uint64_t info, bool tcp, InternetSocketListing& listing) const;
  const XnuKernel& kernel_;
  const SocketLayout& layout_;
};

// inet_ntop text of an address (4 or 16 bytes).
std::string formatInternetAddress(const std::uint8_t* bytes, bool ipv6);

}  // namespace xnuscope
