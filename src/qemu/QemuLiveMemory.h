// Guest physical memory of a running QEMU VM: its memory-backend-file mapped
// read-only and shared, laid out by what QEMU reports over QMP ("info mtree -f"),
// with the vCPUs' registers (CR3) read from QEMU on demand. Reads see the guest's
// bytes as they are at that moment; GuestFreeze stops the guest when a walk needs
// them not to change.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "physmem/FileSegmentMap.h"
#include "physmem/PhysicalMemory.h"
#include "qemu/QemuRamLayout.h"
#include "qemu/QmpClient.h"
#include "qemu/SharedFileMapping.h"

namespace xnuscope {

class GuestFreeze;

class QemuLiveMemory : public PhysicalMemory {
 public:
  // Connects to QMP at `qmpEndpoint` (unix path, unix:PATH or tcp:HOST:PORT), finds
  // the memory backend whose mem-path is `memPath`, learns its guest-physical
  // ranges and maps the file. Throws InputError when QEMU is not there, refuses, or
  // does not map that file; AnalysisError when the layout makes no sense.
  QemuLiveMemory(const std::string& memPath, const std::string& qmpEndpoint,
                 std::chrono::milliseconds timeout = QmpClient::kDefaultTimeout);
  ~QemuLiveMemory() override;

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override;
  const std::vector<PhysRange>& ranges() const override { return segments_.ranges(); }
  std::optional<std::span<const std::uint8_t>> view(std::uint64_t pa,
                                                    std::size_t length) const override;
  std::string describe() const override;
  std::string formatName() const override { return "qemu-live"; }
  // Asks QEMU now ("info registers -a"): the registers move while the guest runs.
  std::vector<CpuState> cpus() const override;

  const MemoryBackend& backend() const { return backend_; }
  const std::vector<FileSegment>& segments() const { return segments_.segments(); }
  // The QMP connection, for stop/cont (GuestFreeze) and events. One client per
  // socket: QEMU serves only one, so everything goes through this one.
  QmpClient& qmp() const { return *qmp_; }
  std::mutex& qmpMutex() const { return qmpMutex_; }

  // --freeze for one-shot commands: keeps the guest stopped from now until this
  // source is closed (or holdFrozen(false)); a watch releases it and freezes per poll.
  void holdFrozen(bool frozen);
  bool heldFrozen() const { return heldFreeze_ != nullptr; }

 private:
  const FileSegment* segmentAt(std::uint64_t pa) const;

  std::unique_ptr<QmpClient> qmp_;
  mutable std::mutex qmpMutex_;
  MemoryBackend backend_;
  SharedFileMapping file_;
  FileSegmentMap segments_;
  std::unique_ptr<GuestFreeze> heldFreeze_;  // released before the QMP client goes
};

}  // namespace xnuscope
