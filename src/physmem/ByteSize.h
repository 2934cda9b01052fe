// Human-readable byte counts for messages and describe() ("4.0 GiB", "512 B").
#pragma once

#include <cstdint>
#include <string>

namespace xnuscope {

std::string humanByteSize(std::uint64_t bytes);

}  // namespace xnuscope
