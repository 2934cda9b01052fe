// Outcome of one bounded walk: whether it reached its natural end, and why not.
// Walkers never throw for bad guest data; they stop the affected walk, record a
// warning a user can read, and return what they recovered.
#pragma once

#include <string>
#include <vector>

namespace xnuscope {

struct WalkStatus {
  bool complete = true;
  std::vector<std::string> warnings;

  // The walk was cut short or its result is known to be partial.
  void incomplete(std::string warning) {
    complete = false;
    warnings.push_back(std::move(warning));
  }
  void merge(const WalkStatus& other) {
    complete = complete && other.complete;
    warnings.insert(warnings.end(), other.warnings.begin(), other.warnings.end());
  }
};

}  // namespace xnuscope
