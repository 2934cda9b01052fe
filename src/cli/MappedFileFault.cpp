#include "cli/MappedFileFault.h"

#include <signal.h>
#include <unistd.h>

namespace xnuscope::cli {
namespace {

void onBusError(int, siginfo_t*, void*) {
  // Async-signal-safe: write(2) and _exit(2) only.
  static const char message[] =
      "\nxnuscope: the memory file shrank while it was being read (SIGBUS); the image or the "
      "guest RAM file changed under xnuscope: copy it, or let QEMU keep it whole, and run again\n";
  const ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  ::_exit(2);
}

}  // namespace

void reportMappedFileFaults() {
  struct sigaction action {};
  action.sa_sigaction = &onBusError;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, nullptr);
}

}  // namespace xnuscope::cli
