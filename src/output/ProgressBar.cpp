#include "output/ProgressBar.h"

#include <unistd.h>

#include <cstdio>

namespace xnuscope {

using Clock = std::chrono::steady_clock;

ProgressBar::ProgressBar(bool enabled)
    : enabled_(enabled), start_(Clock::now()), lastDraw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

bool ProgressBar::stderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

void ProgressBar::update(std::string_view stage, std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (stage != stage_) {
    stage_ = std::string(stage);
  }
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - lastDraw_ < std::chrono::milliseconds(100) && done < total) return;
  lastDraw_ = now;
  const double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%-24.24s [%s] %5.1f%%", stage_.c_str(), bar.c_str(), fraction * 100.0);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r%*s\r", 70, "");
    std::fflush(stderr);
    drawn_ = false;
  }
}

ProgressFn ProgressBar::callback() {
  return [this](std::string_view stage, std::uint64_t done, std::uint64_t total) {
    update(stage, done, total);
  };
}

}  // namespace xnuscope
