#include "qemu/GuestFreeze.h"

namespace xnuscope {

GuestFreeze::GuestFreeze(const QemuLiveMemory& memory) : memory_(memory) {
  std::lock_guard lock(memory_.qmpMutex());
  const auto status = memory_.qmp().execute("query-status");
  if (status.is_object() && status.contains("running") && status["running"].is_boolean() &&
      status["running"].get<bool>()) {
    // "stop" returns once every vCPU has left guest code: no store is in flight
    // when we read the file afterwards.
    memory_.qmp().execute("stop");
    stoppedIt_ = true;
  }
}

GuestFreeze::~GuestFreeze() {
  if (!stoppedIt_) return;
  try {
    std::lock_guard lock(memory_.qmpMutex());
    memory_.qmp().execute("cont");
  } catch (...) {
    // A destructor must not throw; QEMU gone means nothing is left to resume.
  }
}

}  // namespace xnuscope
