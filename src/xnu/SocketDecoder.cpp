#include "xnu/SocketDecoder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/Hex.h"
#include "xnu/ProfileFields.h"

namespace xnuscope {

namespace {
constexpr std::uint8_t kInpIpv4 = 0x1, kInpIpv6 = 0x2;
const char* const kTcpStates[] = {"CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RECEIVED",
                                  "ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING",
                                  "LAST_ACK",    "FIN_WAIT_2", "TIME_WAIT"};
}  // namespace

SocketLayout SocketLayout::fromProfile(const Profile& profile) {
  const ProfileFields f(profile, "netstat");
  SocketLayout layout;
  layout.symTcbinfo = f.symbol({"_tcbinfo"});
  layout.symUdbinfo = f.symbol({"_udbinfo"});
  layout.infoListHead = f.offset("inpcbinfo", "ipi_listhead");
  layout.inpList = f.offset("inpcb", "inp_list");
  layout.inpSocket = f.offset("inpcb", "inp_socket");
  layout.inpPpcb = f.offset("inpcb", "inp_ppcb");
  layout.inpFport = f.offset("inpcb", "inp_fport");
  layout.inpLport = f.offset("inpcb", "inp_lport");
  layout.inpVflag = f.offset("inpcb", "inp_vflag");
  layout.inpFaddr = f.offset("inpcb", "inp_dependfaddr");
  layout.inpLaddr = f.offset("inpcb", "inp_dependladdr");
  if (const auto v4 = f.optionalOffset("in_addr_4in6", "ia46_addr4")) layout.ipv4InDepend = *v4;
  layout.tcpState = f.offset("tcpcb", "t_state");
  layout.socketPcb = f.offset("socket", "so_pcb");
  return layout;
}

std::string formatInternetAddress(const std::uint8_t* bytes, bool ipv6) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes, text.data(), text.size());
  return text.data();
}

std::optional<std::uint64_t> SocketDecoder::pcbOfSocket(std::uint64_t socket) const {
  return kernel_.memory().readPointer(socket + layout_.socketPcb);
}

std::optional<InternetSocket> SocketDecoder::decode(std::uint64_t pcb, bool tcp) const {
  const VirtualMemory& memory = kernel_.memory();
  const auto vflag = memory.readU8(pcb + layout_.inpVflag);
  const auto fport = memory.readU16(pcb + layout_.inpFport);
  const auto lport = memory.readU16(pcb + layout_.inpLport);
  const auto socket = memory.readPointer(pcb + layout_.inpSocket);
  std::array<std::uint8_t, 16> faddr{}, laddr{};
  if (!vflag || !fport || !lport || !socket || !memory.readExact(pcb + layout_.inpFaddr, faddr) ||
      !memory.readExact(pcb + layout_.inpLaddr, laddr)) {
    return std::nullopt;
  }
  const bool ipv6 = (*vflag & kInpIpv6) && !(*vflag & kInpIpv4);
  const auto endpoint = [&](const std::array<std::uint8_t, 16>& addr, std::uint16_t port) {
    const std::string text =
        formatInternetAddress(addr.data() + (ipv6 ? 0 : layout_.ipv4InDepend), ipv6);
    const std::uint16_t host = static_cast<std::uint16_t>((port >> 8) | (port << 8));
    return (ipv6 ? "[" + text + "]" : text) + ":" + std::to_string(host);
  };
  InternetSocket out;
  out.pcb = pcb;
  out.socket = *socket;
  out.protocol = std::string(tcp ? "tcp" : "udp") + (ipv6 ? "6" : "4");
  out.local = endpoint(laddr, *lport);
  out.remote = endpoint(faddr, *fport);
  if (tcp) {
    const auto tp = memory.readPointer(pcb + layout_.inpPpcb);
    const auto state =
        tp && isPlausibleKernelPointer(*tp) ? memory.readU32(*tp + layout_.tcpState) : std::nullopt;
    out.state = !state                           ? "?"
                : *state < std::size(kTcpStates) ? kTcpStates[*state]
                                                 : std::to_string(*state);
  }
  return out;
}

void SocketDecoder::walkList(std::uint64_t info, bool tcp, InternetSocketListing& listing) const {
  const VirtualMemory& memory = kernel_.memory();
  const std::string name = tcp ? "tcbinfo" : "udbinfo";
  const auto head = memory.readPointer(info + layout_.infoListHead);
  const auto first =
      head && isPlausibleKernelPointer(*head) ? memory.readPointer(*head) : std::nullopt;
  if (!first) {
    listing.status.incomplete(name + ".ipi_listhead is unreadable");
    return;
  }
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t pcb = *first; pcb != 0;) {
    if (!isPlausibleKernelPointer(pcb) || !seen.insert(pcb).second || seen.size() > kMaxPcbs) {
      listing.status.incomplete(name + " list reaches " + hex(pcb) +
                                " (cycle, limit or not a kernel pointer)");
      return;
    }
    const auto socket = decode(pcb, tcp);
    const auto next = memory.readPointer(pcb + layout_.inpList);
    if (!socket || !next) {
      listing.status.incomplete(name + ": inpcb " + hex(pcb) + " is unreadable; list ends there");
      return;
    }
    listing.sockets.push_back(*socket);
    pcb = *next;
  }
}

InternetSocketListing SocketDecoder::walkPcbLists() const {
  InternetSocketListing listing;
  walkList(*kernel_.runtime(layout_.symTcbinfo), true, listing);
  walkList(*kernel_.runtime(layout_.symUdbinfo), false, listing);
  std::sort(listing.sockets.begin(), listing.sockets.end(),
            [](const InternetSocket& a, const InternetSocket& b) { return a.pcb < b.pcb; });
  return listing;
}

}  // namespace xnuscope
