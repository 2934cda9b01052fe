#include "beacon/BeaconSnapshot.h"

#include "beacon/BeaconFormat.h"

namespace xnuscope {

std::string BeaconRegion::protection() const {
  namespace a = beacon::layout_a;
  std::string text = "---";
  if (perms & a::kPermRead) text[0] = 'r';
  if (perms & a::kPermWrite) text[1] = 'w';
  if (perms & a::kPermExec) text[2] = 'x';
  return text;
}

std::string BeaconRegion::sharing() const {
  namespace a = beacon::layout_a;
  if (perms & a::kPermShared) return "shared";
  if (perms & a::kPermPrivate) return "private";
  return {};
}

}  // namespace xnuscope
