// What the process/memory commands (pslist, pstree, maps, kexts, dmesg, dump) need
// from one invocation: the located kernel, a profile that fits it, the resolved
// XnuLayout, and the kernel's virtual memory — built once, in that order.
//
// The kernel and its profile come from resolveKernel (cli/KernelResolver.h):
// profile-free location, then --profile PATH or auto selection, mismatch refusal.
#pragma once

#include <memory>
#include <optional>

#include "kernel/KernelInfo.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "profile/Profile.h"
#include "xnu/XnuKernel.h"
#include "xnu/XnuLayout.h"

namespace xnuscope::cli {

class Session;

class XnuContext {
 public:
  // Throws InputError (bad --profile file) or AnalysisError (no kernel, no fitting
  // profile, profile lacks a struct the walkers need).
  explicit XnuContext(Session& session);

  const PhysicalMemory& physical() const { return physical_; }
  const KernelInfo& kernel() const { return kernel_; }
  const Profile& profile() const { return profile_; }
  const XnuLayout& layout() const { return layout_; }
  const VirtualMemory& kernelMemory() const { return *kernelMemory_; }
  const XnuKernel& xnu() const { return *xnu_; }

 private:
  const PhysicalMemory& physical_;
  Profile profile_;
  KernelInfo kernel_;
  XnuLayout layout_;
  std::unique_ptr<X86_64Translator> translator_;
  std::unique_ptr<VirtualMemory> kernelMemory_;
  std::unique_ptr<XnuKernel> xnu_;
};

}  // namespace xnuscope::cli
