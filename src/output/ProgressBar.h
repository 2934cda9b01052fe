// A one-line progress bar on stderr. It stays silent unless stderr is a terminal,
// --quiet is off, and the operation has been running for more than ~1 second, so
// short runs and pipelines never see it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/Progress.h"

namespace xnuscope {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::string_view stage, std::uint64_t done, std::uint64_t total);
  void finish();  // erases the bar if one was drawn
  ProgressFn callback();

  // True when stderr is a terminal (a bar would be visible).
  static bool stderrIsTerminal();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point lastDraw_;
  std::string stage_;
};

}  // namespace xnuscope
