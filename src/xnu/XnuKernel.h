// The located kernel as the walkers see it: its virtual memory, the resolved
// struct layout and the unslid → runtime address mapping (KernelInfo, per segment).
// Walkers take this one object so they depend on neither the locator nor a Profile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kernel/KernelInfo.h"
#include "mmu/VirtualMemory.h"
#include "xnu/XnuLayout.h"

namespace xnuscope {

// Lowest address of the x86_64 XNU kernel map (VM_MIN_KERNEL_AND_KEXT_ADDRESS is
// 0x80000000 below it; kexts and the packed-pointer base live there).
inline constexpr std::uint64_t kXnuKernelAddressMin = 0xffffff7f80000000ull;
// Written into freed vm_map_entry links (and similar) by XNU's zone poisoning.
inline constexpr std::uint64_t kXnuPoison = 0xdeadbeefdeadbeefull;

// A pointer a kernel structure could plausibly hold: inside the kernel half used by
// XNU on x86_64, 8-byte aligned, and not the poison pattern.
inline bool isPlausibleKernelPointer(std::uint64_t value) {
  return value >= kXnuKernelAddressMin && value != kXnuPoison && (value & 7) == 0;
}

class XnuKernel {
 public:
  // All three must outlive this object.
  XnuKernel(const VirtualMemory& memory, const XnuLayout& layout, const KernelInfo& info)
      : memory_(memory), layout_(layout), info_(info) {}

  const VirtualMemory& memory() const { return memory_; }
  const XnuLayout& layout() const { return layout_; }
  const KernelInfo& info() const { return info_; }

  // Runtime address of an unslid symbol (nullopt passes through).
  std::optional<std::uint64_t> runtime(std::optional<std::uint64_t> unslid) const {
    if (!unslid) return std::nullopt;
    return info_.slideSymbol(*unslid);
  }

 private:
  const VirtualMemory& memory_;
  const XnuLayout& layout_;
  const KernelInfo& info_;
};

}  // namespace xnuscope
