// Runs one qemu-system-x86_64 for a test and kills it on every path (RAII).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace xnuscope::test {

class QemuProcess {
 public:
  // Starts `arguments[0]` (searched in PATH) with stdout/stderr to `logPath`.
  // Throws std::runtime_error if fork/exec fails outright.
  QemuProcess(const std::vector<std::string>& arguments, std::string logPath);
  ~QemuProcess();  // SIGKILL + reap
  QemuProcess(const QemuProcess&) = delete;
  QemuProcess& operator=(const QemuProcess&) = delete;

  // False once the process has exited (e.g. QEMU rejected its options).
  bool running();
  // The log so far (QEMU's own error message when it did not start).
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string logPath_;
};

// Absolute path of `program` in PATH, or "" when absent.
std::string findInPath(const std::string& program);

}  // namespace xnuscope::test
