#include "engine/Target.h"

#include <algorithm>

#include "beacon/BeaconReader.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "engine/BeaconProcessSource.h"
#include "engine/KernelCodeDeriver.h"
#include "engine/KernelProcessSource.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "physmem/ImageOpener.h"
#include "qemu/QemuLiveMemory.h"
#include "xnu/XnuKernel.h"
#include "xnu/XnuLayout.h"

namespace xnuscope::engine {

// Everything the walkers need, built once from a resolution with a profile.
struct Target::KernelView {
  Profile profile;
  ProfileSource source = ProfileSource::Exact;
  KernelInfo kernel;
  XnuLayout layout;
  std::unique_ptr<X86_64Translator> translator;
  std::unique_ptr<VirtualMemory> memory;
  std::unique_ptr<XnuKernel> xnu;
};

namespace {

constexpr std::uint64_t kMaxVirtualRead = 1ull << 30;
constexpr std::uint64_t kPageSize = 4096;

}  // namespace

std::unique_ptr<Target> Target::open(TargetOptions options) {
  return std::unique_ptr<Target>(new Target(std::move(options)));
}

Target::Target(TargetOptions options) : options_(std::move(options)) {
  if (!options_.image.empty() && !options_.qemuMem.empty()) {
    throw InputError("give either an image (--image) or a live VM (--qemu-mem/--qmp), not both");
  }
  if (!options_.image.empty()) {
    memory_ = openPhysicalMemory(options_.image);
  } else if (!options_.qemuMem.empty()) {
    if (options_.qmp.empty()) {
      throw InputError("a live VM needs its QMP socket too: --qmp SOCKET beside --qemu-mem " +
                       options_.qemuMem);
    }
    // Live VM: RAM layout and CR3 come from QEMU over QMP, not from the user.
    auto live = std::make_unique<QemuLiveMemory>(options_.qemuMem, options_.qmp);
    if (options_.freeze) live->holdFrozen(true);  // every read sees one instant
    live_ = live.get();
    memory_ = std::move(live);
  } else {
    throw InputError(
        "no guest memory given: use --image PATH (raw, QEMU ELF core or LiME) or "
        "--qemu-mem PATH --qmp SOCKET for a running QEMU VM");
  }
}

Target::~Target() = default;

void Target::progressDone() const {
  if (options_.progressDone) options_.progressDone();
}

ResolveOptions Target::resolveOptions(bool withDecoys) const {
  ResolveOptions resolve;
  resolve.profile = options_.profile.empty() ? "auto" : options_.profile;
  resolve.kernelFile = options_.kernelFile;
  resolve.dtb = options_.dtb;
  resolve.force = options_.force;
  // Banner copies elsewhere in RAM (decoys) are for `info`; the walkers only need
  // the proven kernel, and scanning all of RAM for them dominates their run time.
  resolve.decoyScan = !withDecoys                ? KernelLocatorOptions::DecoyScan::Never
                      : options_.searchAllDecoys ? KernelLocatorOptions::DecoyScan::Always
                                                 : KernelLocatorOptions::DecoyScan::Auto;
  resolve.profileDirectories = options_.profileDirectories;
  resolve.derivers = options_.derivers;
  if (options_.deriveProfiles) resolve.derivers.push_back(std::make_shared<KernelCodeDeriver>());
  resolve.allowIncompleteDerivation = options_.allowIncompleteDerivation;
  resolve.progress = options_.progress;
  resolve.progressDone = options_.progressDone;
  return resolve;
}

const Resolution& Target::resolve(bool withDecoys) {
  if (resolution_ && (resolutionScannedDecoys_ || !withDecoys)) return *resolution_;
  if (resolutionError_) std::rethrow_exception(resolutionError_);
  try {
    resolution_ = resolveKernel(*memory_, resolveOptions(withDecoys));
    resolutionScannedDecoys_ = withDecoys;
  } catch (const InputError&) {
    resolutionError_ = std::current_exception();
    throw;
  } catch (const AnalysisError&) {
    resolutionError_ = std::current_exception();
    throw;
  }
  return *resolution_;
}

const Resolution& Target::resolution() { return resolve(false); }

TargetInfo Target::info() {
  const Resolution& resolved = resolve(true);
  TargetInfo info;
  info.kernel = resolved.kernel;
  if (resolved.profile) info.profile = resolved.profile->describe();
  info.profileSource = resolved.profileSource;
  info.profileOrigin = resolved.profileOrigin;
  info.warnings = resolved.kernel.warnings;
  info.warnings.insert(info.warnings.end(), resolved.warnings.begin(), resolved.warnings.end());
  info.steps = resolved.steps;
  return info;
}

const Target::KernelView& Target::kernelView() {
  if (kernelView_) return *kernelView_;
  if (kernelError_) std::rethrow_exception(kernelError_);
  try {
    const Resolution& resolved = resolve(false);
    if (!resolved.profile) throw AnalysisError(resolved.whyNoProfile);
    auto view = std::make_unique<KernelView>();
    view->profile = *resolved.profile;
    view->source = resolved.profileSource.value_or(ProfileSource::Exact);
    view->kernel = resolved.kernel;
    view->layout = XnuLayout::fromProfile(view->profile);
    view->translator = std::make_unique<X86_64Translator>(*memory_, view->kernel.dtb);
    view->memory = std::make_unique<VirtualMemory>(*memory_, *view->translator);
    view->xnu = std::make_unique<XnuKernel>(*view->memory, view->layout, view->kernel);
    kernelView_ = std::move(view);
    if (options_.warn) {
      for (const auto& warning : resolved.warnings) options_.warn(warning);
    }
  } catch (const InputError&) {
    kernelError_ = std::current_exception();
    throw;
  } catch (const AnalysisError&) {
    kernelError_ = std::current_exception();
    throw;
  }
  return *kernelView_;
}

ProcessSource& Target::processSource() {
  if (processSource_) return *processSource_;
  try {
    const KernelView& view = kernelView();
    processSource_ = std::make_unique<KernelProcessSource>(*view.xnu, view.source);
  } catch (const AnalysisError& error) {
    // No kernel or no profile: an in-guest companion's pages may still answer.
    auto snapshot = readBeacons(*memory_, options_.beaconSession, options_.progress);
    progressDone();
    if (!snapshot) throw;
    processSource_ = std::make_unique<BeaconProcessSource>(std::move(*snapshot), error.what());
  }
  return *processSource_;
}

KextListing Target::kexts() { return KextWalker(xnu()).walk(); }

MessageBuffer Target::dmesg() { return MessageBufferReader(xnu()).read(); }

const XnuKernel& Target::xnu() { return *kernelView().xnu; }

const Profile& Target::profile() { return kernelView().profile; }

void Target::dropTranslationCache() {
  if (kernelView_) kernelView_->translator->clearCache();
}

AddressSpace Target::addressSpace(std::optional<std::int32_t> pid) {
  AddressSpace space;
  if (!pid) {
    // The kernel's own address space needs no profile: the proven DTB.
    space.name = "kernel";
    space.root = kernelView_ ? kernelView_->kernel.dtb : resolution().kernel.dtb;
    return space;
  }
  const KernelView& view = kernelView();
  // Memory is read through the kernel's own page tables: beacons cannot serve it.
  const KernelProcessSource kernelProcesses(*view.xnu, view.source);
  const ProcessList list = kernelProcesses.processes();
  const Process& process = findProcess(list, *pid);
  if (!process.pmapCr3) {
    throw AnalysisError("pid " + std::to_string(*pid) + " (" + process.name +
                        ") has no readable pmap (task->map->pmap->pm_cr3)" +
                        (process.zombie ? "; it is a zombie" : ""));
  }
  space.pid = process.pid;
  space.name = process.name;
  space.root = *process.pmapCr3;
  return space;
}

VirtualRead Target::readVirtual(std::optional<std::int32_t> pid, std::uint64_t address,
                                std::uint64_t length) {
  if (length > kMaxVirtualRead) {
    throw InputError("read of " + std::to_string(length) +
                     " bytes refused: at most 1 GiB at a time (use dump for more)");
  }
  if (length != 0 && address + (length - 1) < address) {
    throw InputError("read of " + std::to_string(length) + " bytes at " + hex(address) +
                     " runs past the top of the address space");
  }
  VirtualRead read;
  read.space = addressSpace(pid);
  read.address = address;
  read.bytes.assign(length, 0);
  const X86_64Translator translator(*memory_, read.space.root);
  const VirtualMemory memory(*memory_, translator);
  std::uint64_t offset = 0;
  while (offset < length) {
    const std::uint64_t va = address + offset;
    const std::uint64_t chunk = std::min(length - offset, kPageSize - (va % kPageSize));
    const std::size_t got =
        memory.read(va, std::span<std::uint8_t>(read.bytes.data() + offset, chunk));
    if (got < chunk) {
      const std::uint64_t holeStart = va + got;
      const std::uint64_t holeEnd = va + chunk;
      if (!read.holes.empty() && read.holes.back().end == holeStart) {
        read.holes.back().end = holeEnd;
      } else {
        read.holes.push_back({holeStart, holeEnd});
      }
    }
    offset += chunk;
  }
  return read;
}

VirtualDump Target::dumpVirtual(std::optional<std::int32_t> pid, std::uint64_t start,
                                std::uint64_t end, const std::string& path) {
  VirtualDump dump;
  dump.space = addressSpace(pid);
  const X86_64Translator translator(*memory_, dump.space.root);
  dump.result = ProcessMemoryDumper(*memory_, translator).dump(start, end, path);
  return dump;
}

BeaconSnapshot Target::beacons() {
  BeaconSnapshot snapshot = BeaconReader(*memory_).read(options_.beaconSession, options_.progress);
  progressDone();
  return snapshot;
}

std::unique_ptr<ProcessWatch> Target::watchProcesses() {
  return std::make_unique<ProcessWatch>(xnu());
}

void Target::holdFrozen(bool frozen) {
  if (live_) live_->holdFrozen(frozen);
}

}  // namespace xnuscope::engine
