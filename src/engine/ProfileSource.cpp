#include "engine/ProfileSource.h"

namespace xnuscope::engine {

std::string_view profileSourceName(ProfileSource source) {
  switch (source) {
    case ProfileSource::Exact:
      return "exact";
    case ProfileSource::Derived:
      return "derived";
    case ProfileSource::Beacon:
      return "beacon";
  }
  return "unknown";
}

}  // namespace xnuscope::engine
