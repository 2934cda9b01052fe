#include "engine/GuestPause.h"

#include "engine/Target.h"
#include "qemu/GuestFreeze.h"
#include "qemu/QemuLiveMemory.h"

namespace xnuscope::engine {

GuestPause::GuestPause(const Target& target) {
  if (target.liveMemory() != nullptr) freeze_ = std::make_unique<GuestFreeze>(*target.liveMemory());
}

GuestPause::~GuestPause() = default;

}  // namespace xnuscope::engine
