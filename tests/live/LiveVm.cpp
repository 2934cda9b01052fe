#include "LiveVm.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool canConnect(const std::string& socketPath) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socketPath.c_str(), sizeof(address.sun_path) - 1);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

LiveVm::LiveVm(const LiveVmOptions& options) {
  static std::atomic<int> counter{0};
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  dir_ = scratchDir() + "/vm-" + tag;
  std::filesystem::create_directories(dir_);
  // /dev/shm: tmpfs like a real setup; sparse, so only pages the guest or the test
  // touch take memory.
  memPath_ = "/dev/shm/xnuscope-live-" + tag;
  qmpPath_ = dir_ + "/qmp.sock";
  controlQmpPath_ = dir_ + "/control.sock";
  logPath_ = dir_ + "/qemu.log";
  consolePath_ = dir_ + "/debugcon.txt";
  std::filesystem::remove(memPath_);

  std::vector<std::string> args = {
      "qemu-system-x86_64",
      "-machine",
      "q35,accel=tcg",
      "-m",
      options.ram,
      "-object",
      "memory-backend-file,id=mem,size=" + options.ram + ",mem-path=" + memPath_ + ",share=on",
      "-machine",
      "memory-backend=mem",
      "-nodefaults",
      "-display",
      "none",
      "-no-reboot",
      "-serial",
      "none",
      "-monitor",
      "none",
      "-debugcon",
      "file:" + consolePath_,
      "-qmp",
      "unix:" + qmpPath_ + ",server=on,wait=off",
      "-qmp",
      "unix:" + controlQmpPath_ + ",server=on,wait=off"};
  if (options.startPaused) args.push_back("-S");
  if (!options.bios.empty()) {
    args.push_back("-bios");
    args.push_back(options.bios);
  }
  args.insert(args.end(), options.extraArgs.begin(), options.extraArgs.end());

  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int logFd = ::open(logPath_.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (logFd < 0) throw std::runtime_error("cannot create " + logPath_);
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(logFd);
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    ::dup2(logFd, STDOUT_FILENO);
    ::dup2(logFd, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(logFd);

  const auto deadline = std::chrono::steady_clock::now() + options.startTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      skipReason_ =
          "qemu-system-x86_64 could not start (is the qemu-system-x86 package "
          "installed? see scripts/setup.sh): " +
          log();
      return;
    }
    if (canConnect(controlQmpPath_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  skipReason_ = "qemu-system-x86_64 did not open its QMP socket within " +
                std::to_string(options.startTimeout.count()) + " ms: " + log();
}

LiveVm::~LiveVm() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove(memPath_, ignored);
}

bool LiveVm::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string LiveVm::log() const { return readFile(logPath_); }

std::string LiveVm::debugConsole() const { return readFile(consolePath_); }

bool LiveVm::waitForConsole(char c, int count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto text = debugConsole();
    if (std::count(text.begin(), text.end(), c) >= count) return true;
    if (!running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace xnuscope::test
