// Progress reporting hook that long-running library operations (scans, walks)
// accept without depending on any terminal code. `done` and `total` are in
// whatever unit the operation counts (usually bytes).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace xnuscope {

using ProgressFn =
    std::function<void(std::string_view stage, std::uint64_t done, std::uint64_t total)>;

}  // namespace xnuscope
