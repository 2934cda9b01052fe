// One real qemu-system-x86_64 (TCG, q35) for a live test: guest RAM in a
// memory-backend-file on /dev/shm, QMP on a unix socket, the debug console (port
// 0xE9) in a file. Killed, and its RAM file removed, on every path (RAII).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xnuscope::test {

struct LiveVmOptions {
  std::string ram = "3G";  // q35 with >= 0xB0000000: 2 GiB below 4 GiB, the rest above
  std::uint64_t ramBytes = 3ull << 30;
  std::string bios;                    // -bios ROM (the guest program); empty: none
  std::vector<std::string> extraArgs;  // e.g. -device loader,...
  bool startPaused = true;             // -S: nothing runs until the test says "cont"
  std::chrono::milliseconds startTimeout{
      60000};  // generous: a loaded CI machine starts QEMU slowly
};

class LiveVm {
 public:
  // Starts QEMU and waits until its QMP socket accepts connections. When QEMU
  // cannot start (absent, or exits at once), skipReason() says why and nothing runs.
  explicit LiveVm(const LiveVmOptions& options);
  ~LiveVm();
  LiveVm(const LiveVm&) = delete;
  LiveVm& operator=(const LiveVm&) = delete;

  const std::optional<std::string>& skipReason() const { return skipReason_; }
  const std::string& memPath() const { return memPath_; }
  const std::string& qmpPath() const { return qmpPath_; }
  // A second QMP socket for the test itself (stop/cont), since QEMU serves one
  // client per socket and the engine holds the first.
  const std::string& controlQmpPath() const { return controlQmpPath_; }
  bool running();
  std::string log() const;
  std::string debugConsole() const;  // what the guest wrote to port 0xE9
  // Waits until the debug console holds `count` occurrences of `c` (false on timeout
  // or when QEMU died).
  bool waitForConsole(char c, int count, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string memPath_;
  std::string qmpPath_;
  std::string controlQmpPath_;
  std::string logPath_;
  std::string consolePath_;
  std::optional<std::string> skipReason_;
};

}  // namespace xnuscope::test
