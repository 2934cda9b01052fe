// Shared vocabulary of the locator's fact checks: how a check looks up a slid
// symbol, records a fact, and reads kernel memory, without knowing the locator.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace xnuscope {

// Runtime VA of a kernel symbol ("_IdlePML4"), nullopt when no symbols name it.
using SymbolLookup = std::function<std::optional<std::uint64_t>(const char* name)>;
// Records one independent observation: name, whether it agreed, what was compared.
using FactSink = std::function<void(std::string name, bool agreed, std::string detail)>;

// Kernel virtual memory as the proof reads it (through the proven DTB, else the
// static mapping).
struct KernelMemoryView {
  std::function<std::size_t(std::uint64_t va, std::span<std::uint8_t> out)> read;
  // The NUL-terminated string at `va`; nullopt when no NUL lies within `max` bytes.
  std::function<std::optional<std::string>(std::uint64_t va, std::size_t max)> readString;
  std::function<std::optional<std::uint64_t>(std::uint64_t va)> toPhysical;
};

// How far a fact check reads for the NUL that ends a Darwin banner.
inline constexpr std::size_t kMaxBannerLength = 512;

}  // namespace xnuscope
