// Text QEMU sends back: `info mtree` and `info registers` (human monitor) output, and
// QMP itself — a local socket plays QEMU and sends the fuzz input as its greeting
// and replies, then hangs up.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "FuzzSupport.h"
#include "qemu/InfoRegistersParser.h"
#include "qemu/MemoryTreeParser.h"
#include "qemu/QmpClient.h"

namespace {

// A listening unix socket for the fake QEMU, made once per fuzzing process.
const std::string& listenPath(int* listener) {
  static int fd = -1;
  static std::string path;
  if (fd < 0) {
    path = "/tmp/xnuscope-fuzz-qmp-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path.c_str());
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 4) != 0) {
      std::abort();
    }
  }
  *listener = fd;
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expectOnlyCleanErrors([&] {
    const auto ranges = parseMemoryTreeRam(text);
    rangesOfRegion(ranges, "pc.ram");
  });
  fuzz::expectOnlyCleanErrors([&] { parseInfoRegistersCr3(text); });

  int listener = -1;
  const std::string& path = listenPath(&listener);
  std::thread qemu([&] {
    // The client connects first thing; the timeout only guards against a change there.
    pollfd ready{listener, POLLIN, 0};
    if (::poll(&ready, 1, 2000) <= 0) return;
    const int peer = ::accept(listener, nullptr, nullptr);
    if (peer < 0) return;
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::send(peer, data + done, size - done, MSG_NOSIGNAL);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::shutdown(peer, SHUT_WR);
    char sink[4096];
    while (::recv(peer, sink, sizeof sink, 0) > 0) {
    }
    ::close(peer);
  });
  fuzz::expectOnlyCleanErrors([&] {
    QmpClient client(path, std::chrono::milliseconds(200));
    client.execute("query-status");
    client.humanMonitorCommand("info mtree -f");
    client.pollEvents();
  });
  qemu.join();
  return 0;
}
