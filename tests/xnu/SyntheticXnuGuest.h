// A hand-built miniature XNU guest for walker unit tests: a kernel heap mapped
// through real x86_64 page tables, with procs, tasks, vm_maps, kmod_info, msgbuf
// laid out per an XnuLayout (10.13.6 offsets by default, or the macOS 13 variant).
// Tests break links on purpose to check the walkers' bounds and warnings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernel/KernelInfo.h"
#include "mmu/PagedTestMemory.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "xnu/XnuKernel.h"
#include "xnu/XnuLayout.h"

namespace xnuscope::test {

// Offsets of HighSierra_10.13.6_17G65 (LAYOUTS.md), filled by hand.
inline XnuLayout highSierraLayout() {
  XnuLayout l;
  l.profileName = "hand-made 10.13.6";
  l.procSize = 0x490;
  l.procListNext = 0;
  l.procPid = 0x10;
  l.procTask = 0x18;
  l.procParent = 0x20;
  l.procPpid = 0x28;
  l.procUcred = 0xe8;
  l.procComm = 0x2e0;
  l.procName = 0x2f1;
  l.procStartSec = 0x3c0;
  l.procStartUsec = 0x3c8;
  l.ucredUid = 0x18;
  l.ucredGid = 0x18 + 80;
  l.taskMap = 0x20;
  l.taskQueueNext = 0x28;
  l.taskBsdInfo = 0x390;
  l.mapHeaderLinks = 0x10;
  l.mapNentries = 0x30;
  l.mapPmap = 0x48;
  l.pmapCr3 = 8;
  l.entryIsSubMap = {0x48, 1, 1};
  l.entryProtection = {0x48, 7, 3};
  l.entryMaxProtection = {0x48, 10, 3};
  l.entryInheritance = {0x48, 13, 2};
  l.tagLocation = VmTagLocation::OffsetLowBits;
  return l;
}

// macOS 13-style: no proc.task (task follows proc), no task.bsd_info, credentials
// through p_proc_ro, 4-bit protections and a packed vme_object.
inline XnuLayout venturaLayout() {
  XnuLayout l = highSierraLayout();
  l.profileName = "hand-made 13.x";
  l.procSize = 0x748;  // not a multiple of 16: distance = 0x750
  l.procListNext = 0;
  l.procParent = 0x10;
  l.procProcRo = 0x18;
  l.procPpid = 0x20;
  l.procPid = 0x60;
  l.procTask.reset();
  l.procUcred.reset();
  l.procRoUcred = 0x20;
  l.procComm = 0x570;
  l.procName = 0x581;
  l.procStartSec = 0x5b0;
  l.procStartUsec = 0x5b8;
  l.taskMap = 0x28;
  l.taskQueueNext = 0x30;
  l.taskBsdInfo.reset();
  l.procToTaskDistance = 0x750;
  l.procToTaskDistanceAlt = 0x748;
  l.entryIsSubMap = {0x38, 1, 1};
  l.entryProtection = {0x48, 7, 4};
  l.entryMaxProtection = {0x48, 11, 4};
  l.entryInheritance = {0x48, 15, 2};
  l.packedObject = true;
  l.entryObject = 0x38;
  l.entryPackedObject = 0x3c;
  return l;
}

struct SyntheticMapEntry {
  std::uint64_t start, end;
  std::uint32_t prot, maxprot, inheritance, tag;
  bool submap = false;
  std::uint64_t object = 0;
  std::uint64_t offset = 0;
};

class SyntheticXnuGuest {
 public:
  static constexpr std::uint64_t kHeapVa = 0xffffff8020000000ull;
  static constexpr std::uint64_t kHeapPa = 0x400000;
  static constexpr std::uint64_t kHeapSize = 8ull << 20;
  static constexpr std::uint64_t kKernelPml4 = 0x1000;
  static constexpr std::uint64_t kUnmappedVa = 0xffffff8099990000ull;

  explicit SyntheticXnuGuest(XnuLayout layout = highSierraLayout())
      : layout_(std::move(layout)), tables_(memory_, kKernelPml4, 0x2000) {
    for (std::uint64_t off = 0; off < kHeapSize; off += 2ull << 20) {
      tables_.map(kHeapVa + off, kHeapPa + off, 2ull << 20);
    }
    memory_.back(kHeapPa, kHeapSize);
    info_.kaslrSlide = 0;  // symbols below are runtime addresses already
    info_.dtb = kKernelPml4;
    layout_.symAllproc = alloc(8);
    layout_.symZombproc = alloc(8);
    layout_.symTasks = alloc(16);
    layout_.symKmod = alloc(8);
    layout_.symLoadedKextSummaries = alloc(8);
    layout_.symMsgbufp = alloc(8);
    // Empty task queue: head.next = head.prev = &head.
    writeU64(*layout_.symTasks, *layout_.symTasks);
    writeU64(*layout_.symTasks + 8, *layout_.symTasks);
    translator_ = std::make_unique<X86_64Translator>(memory_, kKernelPml4);
    vm_ = std::make_unique<VirtualMemory>(memory_, *translator_);
    kernel_ = std::make_unique<XnuKernel>(*vm_, layout_, info_);
  }

  const XnuKernel& kernel() const { return *kernel_; }
  XnuLayout& layout() { return layout_; }
  PagedTestMemory& memory() { return memory_; }

  std::uint64_t alloc(std::uint64_t size) {
    const std::uint64_t va = kHeapVa + next_;
    next_ += (size + 63) & ~63ull;
    if (next_ > kHeapSize) throw std::runtime_error("synthetic heap exhausted");
    return va;
  }
  std::uint64_t pa(std::uint64_t va) const { return va - kHeapVa + kHeapPa; }
  void writeU64(std::uint64_t va, std::uint64_t v) { memory_.writeU64(pa(va), v); }
  void writeU32(std::uint64_t va, std::uint32_t v) { memory_.writeU32(pa(va), v); }
  void writeString(std::uint64_t va, const std::string& s) { memory_.writeString(pa(va), s); }
  std::uint64_t readU64(std::uint64_t va) { return memory_.readU64(pa(va)).value_or(0); }
  void writeBits(std::uint64_t va, const XnuBitRange& r, std::uint64_t value) {
    std::uint64_t word = readU64(va + r.wordOffset);
    const std::uint64_t mask = ((1ull << r.count) - 1) << r.start;
    word = (word & ~mask) | ((value << r.start) & mask);
    writeU64(va + r.wordOffset, word);
  }

  struct Proc {
    std::uint64_t proc = 0, task = 0, map = 0, pmap = 0;
  };

  // A live process: inserted at the head of allproc (as fork does) and appended
  // to the task queue. `cr3` is stored in its pmap.
  Proc addProcess(std::int32_t pid, std::int32_t ppid, const std::string& comm,
                  const std::string& name, std::uint32_t uid, std::int64_t start = 1500000000,
                  std::uint64_t cr3 = 0x123000) {
    Proc p = makeProc(pid, ppid, comm, name, uid, start, /*withTask=*/true);
    pushList(*layout_.symAllproc, p.proc);
    appendTask(p.task);
    writeU64(p.pmap + layout_.pmapCr3, cr3);
    procs_.push_back(p);
    return p;
  }
  Proc addZombie(std::int32_t pid, std::int32_t ppid, const std::string& comm) {
    Proc p = makeProc(pid, ppid, comm, "", 501, 1500000100, /*withTask=*/false);
    pushList(*layout_.symZombproc, p.proc);
    return p;
  }

  // Appends entries to a map's circular entry list and sets hdr.nentries.
  std::vector<std::uint64_t> setMapEntries(std::uint64_t map,
                                           const std::vector<SyntheticMapEntry>& entries) {
    const std::uint64_t head = map + layout_.mapHeaderLinks;
    std::vector<std::uint64_t> addresses;
    std::uint64_t prev = head;
    for (const auto& e : entries) {
      const std::uint64_t entry = alloc(layout_.entrySize);
      writeU64(entry + layout_.linksPrev, prev);
      writeU64(prev + layout_.linksNext, entry);
      writeU64(entry + layout_.linksStart, e.start);
      writeU64(entry + layout_.linksEnd, e.end);
      writeU64(entry + layout_.entryOffset, e.offset | e.tag);
      if (layout_.packedObject) {
        if (e.submap) {
          writeU64(entry + layout_.entryObject, e.object | 2);
        } else if (e.object != 0) {
          writeU32(entry + layout_.entryPackedObject,
                   static_cast<std::uint32_t>((e.object - kXnuKernelAddressMin) >> 6));
        }
      } else {
        writeU64(entry + layout_.entryObject, e.object);
      }
      writeBits(entry, layout_.entryProtection, e.prot);
      writeBits(entry, layout_.entryMaxProtection, e.maxprot);
      writeBits(entry, layout_.entryInheritance, e.inheritance);
      writeBits(entry, layout_.entryIsSubMap, e.submap ? 1 : 0);
      addresses.push_back(entry);
      prev = entry;
    }
    writeU64(prev + layout_.linksNext, head);
    writeU64(head + layout_.linksPrev, prev);
    writeU32(map + layout_.mapNentries, static_cast<std::uint32_t>(entries.size()));
    return addresses;
  }

 private:
  Proc makeProc(std::int32_t pid, std::int32_t ppid, const std::string& comm,
                const std::string& name, std::uint32_t uid, std::int64_t start, bool withTask) {
    Proc p;
    if (layout_.taskFollowsProc()) {
      p.proc = alloc(layout_.procToTaskDistance + 0x600);
      if (withTask) p.task = p.proc + layout_.procToTaskDistance;
    } else {
      p.proc = alloc(layout_.procSize);
      if (withTask) p.task = alloc(0x600);
    }
    writeU32(p.proc + layout_.procPid, static_cast<std::uint32_t>(pid));
    writeU32(p.proc + layout_.procPpid, static_cast<std::uint32_t>(ppid));
    writeString(p.proc + layout_.procComm, comm);
    if (!name.empty()) writeString(p.proc + *layout_.procName, name);
    writeU64(p.proc + *layout_.procStartSec, static_cast<std::uint64_t>(start));
    writeU32(p.proc + *layout_.procStartUsec, 250000);
    const std::uint64_t ucred = alloc(0x90);
    writeU32(ucred + layout_.ucredUid, uid);
    if (layout_.procUcred) {
      writeU64(p.proc + *layout_.procUcred, ucred);
    } else {
      const std::uint64_t procRo = alloc(0x80);
      writeU64(p.proc + *layout_.procProcRo, procRo);
      writeU64(procRo + *layout_.procRoUcred, ucred);
    }
    if (withTask) {
      if (layout_.procTask) writeU64(p.proc + *layout_.procTask, p.task);
      if (layout_.taskBsdInfo) writeU64(p.task + *layout_.taskBsdInfo, p.proc);
      p.map = alloc(0x100);
      p.pmap = alloc(0x100);
      writeU64(p.task + layout_.taskMap, p.map);
      writeU64(p.map + layout_.mapPmap, p.pmap);
      setMapEntries(p.map, {});
    }
    return p;
  }
  void pushList(std::uint64_t head, std::uint64_t proc) {
    writeU64(proc + layout_.procListNext, readU64(head));
    writeU64(head, proc);
  }
  // Element-linked like XNU's queue_enter: links point at tasks, not at chains.
  void appendTask(std::uint64_t task) {
    const std::uint64_t head = *layout_.symTasks;
    const std::uint64_t last = readU64(head + 8);
    writeU64(task + layout_.taskQueueNext, head);
    writeU64(task + layout_.taskQueueNext + 8, last);
    writeU64(last == head ? head : last + layout_.taskQueueNext, task);
    writeU64(head + 8, task);
  }

  XnuLayout layout_;
  PagedTestMemory memory_;
  TestPageTables tables_;
  KernelInfo info_;
  std::uint64_t next_ = 0;
  std::vector<Proc> procs_;
  std::unique_ptr<X86_64Translator> translator_;
  std::unique_ptr<VirtualMemory> vm_;
  std::unique_ptr<XnuKernel> kernel_;
};

}  // namespace xnuscope::test
