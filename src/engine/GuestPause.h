// Stops a live Target's guest for as long as this object lives (QMP stop/cont via
// GuestFreeze), so one walk sees one instant. Does nothing for a snapshot.
#pragma once

#include <memory>

namespace xnuscope {
class GuestFreeze;
}

namespace xnuscope::engine {

class Target;

class GuestPause {
 public:
  explicit GuestPause(const Target& target);
  ~GuestPause();
  GuestPause(const GuestPause&) = delete;
  GuestPause& operator=(const GuestPause&) = delete;

 private:
  std::unique_ptr<GuestFreeze> freeze_;
};

}  // namespace xnuscope::engine
