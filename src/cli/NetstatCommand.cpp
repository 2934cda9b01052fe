// `xnuscope netstat`: TCP and UDP sockets over IPv4/IPv6 from the kernel's pcb
// lists and from the processes' descriptors (SocketDecoder, FileDescriptorWalker),
// with local/remote address and port, TCP state and the owning pid/fd.
#include <map>

#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/FileDescriptorWalker.h"
#include "xnu/ProcWalker.h"
#include "xnu/SocketDecoder.h"

namespace xnuscope::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kAfInet = 2, kAfInet6 = 30, kIpprotoTcp = 6, kIpprotoUdp = 17;

class NetstatCommand : public Command {
 public:
  std::string name() const override { return "netstat"; }
  std::string summary() const override {
    return "TCP/UDP sockets: local and remote address, state, owning pid and fd";
  }

  int run(Session& session, const boost::program_options::variables_map&) override {
    engine::Target& target = session.target();
    const SocketLayout socketLayout = SocketLayout::fromProfile(target.profile());
    const FileDescriptorLayout fileLayout = FileDescriptorLayout::fromProfile(target.profile());
    const SocketDecoder decoder(target.xnu(), socketLayout);
    InternetSocketListing listing = decoder.walkPcbLists();
    struct Owner {
      std::int32_t pid, fd;
      std::string name;
    };
    std::map<std::uint64_t, Owner> owners;  // pcb → descriptor
    std::map<std::uint64_t, std::string> sources;
    for (const auto& socket : listing.sockets) sources[socket.pcb] = "pcb list";
    const ProcessListing processes = ProcWalker(target.xnu()).walk();
    OpenFileListing files;
    const FileDescriptorWalker walker(target.xnu(), fileLayout);
    for (const auto& process : processes.processes) walker.walk(process, files);
    listing.status.merge(processes.status);
    listing.status.merge(files.status);
    for (const auto& file : files.files) {
      if (file.type != "socket" || !file.family ||
          (*file.family != kAfInet && *file.family != kAfInet6))
        continue;
      if (!file.protocol || (*file.protocol != kIpprotoTcp && *file.protocol != kIpprotoUdp))
        continue;
      const auto pcb = decoder.pcbOfSocket(file.data);
      if (!pcb || !isPlausibleKernelPointer(*pcb)) continue;
      owners[*pcb] = {file.pid, file.fd, file.processName};
      if (sources.count(*pcb)) {
        sources[*pcb] = "pcb list+descriptor";
      } else if (const auto socket = decoder.decode(*pcb, *file.protocol == kIpprotoTcp)) {
        // On a descriptor but on no pcb list: unlinked (or the list is smeared).
        listing.sockets.push_back(*socket);
        sources[*pcb] = "descriptor";
        listing.status.warnings.push_back("pcb " + hex(*pcb) + " (pid " + std::to_string(file.pid) +
                                          " fd " + std::to_string(file.fd) + ") is on no pcb list");
      }
    }
    std::sort(listing.sockets.begin(), listing.sockets.end(),
              [](const InternetSocket& a, const InternetSocket& b) { return a.pcb < b.pcb; });
    auto rows = Json::array();
    for (const auto& socket : listing.sockets) {
      const auto owner = owners.find(socket.pcb);
      const bool owned = owner != owners.end();
      rows.push_back({{"pid", owned ? Json(owner->second.pid) : Json(nullptr)},
                      {"name", owned ? Json(owner->second.name) : Json(nullptr)},
                      {"fd", owned ? Json(owner->second.fd) : Json(nullptr)},
                      {"proto", socket.protocol},
                      {"local", socket.local},
                      {"remote", socket.remote},
                      {"state", socket.state},
                      {"pcb", hex(socket.pcb)},
                      {"socket", hex(socket.socket)},
                      {"source", sources[socket.pcb]}});
    }
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    report.document["sockets"] = rows;
    report.rowsKey = "sockets";
    report.columns = {{"proto", "PROTO"}, {"local", "LOCAL"},   {"remote", "REMOTE"},
                      {"state", "STATE"}, {"pid", "PID", true}, {"name", "NAME"},
                      {"fd", "FD", true}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(NetstatCommand);

}  // namespace
}  // namespace xnuscope::cli
