// Stops a running QEMU guest for as long as this object lives (QMP "stop"), and
// lets it run again afterwards ("cont") — only if it was running before, so a VM
// the user paused stays paused. Gives walks a consistent view for --freeze.
#pragma once

#include "qemu/QemuLiveMemory.h"

namespace xnuscope {

class GuestFreeze {
 public:
  explicit GuestFreeze(const QemuLiveMemory& memory);
  ~GuestFreeze();
  GuestFreeze(const GuestFreeze&) = delete;
  GuestFreeze& operator=(const GuestFreeze&) = delete;

  // True when this freeze stopped the guest (it was running).
  bool stoppedIt() const { return stoppedIt_; }

 private:
  const QemuLiveMemory& memory_;
  bool stoppedIt_ = false;
};

}  // namespace xnuscope
