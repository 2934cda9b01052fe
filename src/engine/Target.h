// xnuscope's public engine API: one guest, opened from a snapshot file or a running
// QEMU VM, with its kernel and profile resolved once (KernelResolution.h) and typed
// results handed out:
//
//   auto target = Target::open({.image = "mem.raw"});
//   TargetInfo info = target->info();             // kernel base, slide, DTB, build, facts
//   ProcessList ps = target->processes();         // kernel walk, or beacons
//   MapList maps = target->maps(1);               // vm_map of pid 1
//   VirtualRead r = target->readVirtual(1, va, 4096);
//
// Work happens on first use and is kept: opening only opens the source; `info()`
// and every walker share one resolution. Errors are InputError (unusable input or
// argument) and AnalysisError (no kernel, no profile, nothing to read), with a
// message a user can act on. A Target is not thread-safe.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "beacon/BeaconSnapshot.h"
#include "engine/KernelResolution.h"
#include "engine/MapEntry.h"
#include "engine/Process.h"
#include "engine/ProcessSource.h"
#include "engine/ProcessWatch.h"
#include "engine/TargetInfo.h"
#include "engine/TargetOptions.h"
#include "engine/VirtualRead.h"
#include "physmem/PhysicalMemory.h"
#include "xnu/KextWalker.h"
#include "xnu/MessageBufferReader.h"

namespace xnuscope {
class QemuLiveMemory;
class XnuKernel;
}  // namespace xnuscope

namespace xnuscope::engine {

class Target {
 public:
  // Opens the source named in `options` (image, or qemuMem + qmp). Throws
  // InputError when none is given or it cannot be opened.
  static std::unique_ptr<Target> open(TargetOptions options);
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  const TargetOptions& options() const { return options_; }
  const PhysicalMemory& physical() const { return *memory_; }

  // The kernel as located and proven, and how its profile was resolved; also
  // banner/header decoys when the image is small enough to scan. Needs no profile.
  TargetInfo info();
  // The resolution the walkers use (no decoy scan).
  const Resolution& resolution();

  // Processes and maps from the kernel walk; when no kernel can be located or no
  // profile serves it and the memory holds a companion's beacon pages, from those
  // (ProcessList::source says which). Without either, the kernel path's error.
  ProcessSource& processSource();
  ProcessList processes() { return processSource().processes(); }
  MapList maps(std::int32_t pid) { return processSource().maps(pid); }

  // Kernel-only results (no beacon fallback): AnalysisError without a kernel path.
  KextListing kexts();
  MessageBuffer dmesg();

  // The kernel's (pid nullopt) or a process' address space.
  AddressSpace addressSpace(std::optional<std::int32_t> pid);
  // `length` bytes at `address`; InputError over 1 GiB or past the top of memory.
  VirtualRead readVirtual(std::optional<std::int32_t> pid, std::uint64_t address,
                          std::uint64_t length);
  // [start, end) written to `path` at offset VA - start (ProcessMemoryDumper).
  VirtualDump dumpVirtual(std::optional<std::int32_t> pid, std::uint64_t start, std::uint64_t end,
                          const std::string& path);

  // Everything a beacon scan sees (all sessions, pages, the chosen session).
  BeaconSnapshot beacons();

  // Live guests: start/exit events polled from allproc.
  std::unique_ptr<ProcessWatch> watchProcesses();
  // The QEMU source when live, else null (GuestPause.h freezes it).
  QemuLiveMemory* liveMemory() const { return live_; }
  // Live guests: keep the guest stopped from now on (true) or let it run (false).
  void holdFrozen(bool frozen);

  // The located kernel for walkers the Target does not wrap; AnalysisError as for
  // kexts(). Valid as long as the Target.
  const XnuKernel& xnu();
  // The profile those walkers read with (exact or derived), for the layouts of
  // walkers beyond XnuLayout (forensics); AnalysisError as for kexts().
  const Profile& profile();
  // Forget cached page-table translations (a changing live guest, cold benchmarks).
  void dropTranslationCache();

 private:
  struct KernelView;
  explicit Target(TargetOptions options);
  const Resolution& resolve(bool withDecoys);
  const KernelView& kernelView();
  ResolveOptions resolveOptions(bool withDecoys) const;
  void progressDone() const;

  TargetOptions options_;
  std::unique_ptr<PhysicalMemory> memory_;
  QemuLiveMemory* live_ = nullptr;  // memory_ when it is a live VM

  std::optional<Resolution> resolution_;
  bool resolutionScannedDecoys_ = false;
  std::exception_ptr resolutionError_;
  std::unique_ptr<KernelView> kernelView_;
  std::exception_ptr kernelError_;
  std::unique_ptr<ProcessSource> processSource_;
};

}  // namespace xnuscope::engine
