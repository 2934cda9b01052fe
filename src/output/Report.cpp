#include "output/Report.h"

namespace xnuscope {

void Report::setCompleteness(bool complete, const std::vector<std::string>& warnings) {
  document["complete"] = complete;
  document["warnings"] = warnings;
}

}  // namespace xnuscope
