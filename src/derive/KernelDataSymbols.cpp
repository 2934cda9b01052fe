#include "derive/KernelDataSymbols.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "core/LittleEndian.h"
#include "kernel/LowGlobals.h"

namespace xnuscope::derive {
namespace {

constexpr std::uint64_t kKernelHalf = 0xffff800000000000ull;
constexpr std::size_t kMaxList = 4096;
constexpr std::uint32_t kMsgbufMagic = 0x63061;

bool kernelPointer(std::uint64_t v) {
  return v >= kKernelHalf && (v & 7) == 0 && v != 0xdeadbeefdeadbeefull;
}

struct DataWord {
  std::uint64_t va;
  std::uint64_t value;
};

}  // namespace

DataSymbols findSymbolsByData(const PhysicalMemory& physical, const VirtualMemory& memory,
                              const KernelInfo& kernel) {
  DataSymbols out;
  // Every pointer-sized word of the kernel's writable data segments.
  std::vector<DataWord> words;
  std::uint64_t imageLo = ~0ull, imageHi = 0;
  for (const auto& segment : kernel.segments) {
    imageLo = std::min(imageLo, segment.runtimeStart);
    imageHi = std::max(imageHi, segment.runtimeStart + segment.size);
    if (segment.name != "__DATA" || segment.size == 0 || segment.size > (64u << 20)) continue;
    std::vector<std::uint8_t> bytes(segment.size);
    const std::size_t n = memory.read(segment.runtimeStart, bytes);
    for (std::size_t at = 0; at + 8 <= n; at += 8) {
      const std::uint64_t v = loadLittleEndianOr<std::uint64_t>(bytes, at);
      if (kernelPointer(v)) words.push_back({segment.runtimeStart + at, v});
    }
  }
  if (words.empty()) {
    out.failure = "the kernel's __DATA segment holds no kernel pointers (not resident?)";
    return out;
  }
  auto outsideImage = [&](std::uint64_t v) { return v < imageLo || v >= imageHi; };

  // _kernproc: the pointer to a proc whose command name is "kernel_task".
  static const char kName[] = "kernel_task";
  std::set<std::uint64_t> procs;
  for (const auto& w : words) {
    if (!outsideImage(w.value)) continue;
    std::vector<std::uint8_t> bytes(0x800);
    const std::size_t n = memory.read(w.value, bytes);
    for (std::size_t at = 0; at + 17 <= n; ++at) {
      if (std::memcmp(bytes.data() + at, kName, sizeof kName) == 0) {
        out.runtime["_kernproc"] = w.va;
        out.kernproc = w.value;
        out.commOffset = at;
        procs.insert(w.value);
        break;
      }
    }
  }
  if (procs.size() != 1) {
    out.failure = procs.empty() ? "no __DATA pointer leads to a proc named \"kernel_task\""
                                : "several __DATA pointers lead to different \"kernel_task\" procs";
    out.runtime.clear();
    return out;
  }
  out.evidence["_kernproc"] = "the __DATA word that points at the proc whose p_comm (+" +
                              std::to_string(out.commOffset) + ") is \"kernel_task\"";

  // _allproc: LIST_HEAD whose chain, with consistent le_prev, reaches kernproc.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> heads;  // (var, le_next offset)
  std::vector<std::uint64_t> chain;
  for (const auto& w : words) {
    if (!outsideImage(w.value)) continue;
    std::vector<std::uint8_t> first(0x210);
    if (memory.read(w.value, first) < first.size()) continue;
    for (std::uint64_t o = 0; o < 0x200; o += 8) {
      if (loadLittleEndianOr<std::uint64_t>(first, o + 8) != w.va) continue;
      std::vector<std::uint64_t> seen;
      std::uint64_t p = w.value, prevField = w.va;
      bool ok = true;
      while (p && seen.size() < kMaxList) {
        if (!kernelPointer(p) || memory.readU64(p + o + 8) != prevField) {
          ok = false;
          break;
        }
        seen.push_back(p);
        prevField = p + o;
        p = memory.readU64(p + o).value_or(1);
      }
      if (ok && std::find(seen.begin(), seen.end(), out.kernproc) != seen.end()) {
        heads.push_back({w.va, o});
        chain = seen;
      }
    }
  }
  if (heads.size() != 1) {
    out.failure = heads.empty() ? "no __DATA list head reaches kernel_task"
                                : "several list heads reach kernel_task";
    return out;
  }
  out.runtime["_allproc"] = heads[0].first;
  out.listOffset = heads[0].second;
  out.evidence["_allproc"] = "the only __DATA list head whose chain of " +
                             std::to_string(chain.size()) +
                             " procs (le_prev consistent) reaches kernel_task";
  const std::set<std::uint64_t> procSet(chain.begin(), chain.end());

  // _tasks: a queue head closing on itself whose elements lead back to the procs.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> queues;
  for (const auto& w : words) {
    if (!outsideImage(w.value)) continue;
    const auto last = memory.readU64(w.va + 8);
    if (!last || !kernelPointer(*last)) continue;
    std::vector<std::uint8_t> first(0x410);
    if (memory.read(w.value, first) < first.size()) continue;
    for (std::uint64_t o = 0; o < 0x400; o += 8) {
      if (loadLittleEndianOr<std::uint64_t>(first, o + 8) != w.va ||
          memory.readU64(*last + o) != w.va) {
        continue;
      }
      std::vector<std::uint64_t> elements;
      std::uint64_t t = w.value;
      while (t != w.va && elements.size() < kMaxList && kernelPointer(t)) {
        elements.push_back(t);
        t = memory.readU64(t + o).value_or(0);
      }
      if (t != w.va || elements.size() < 2) continue;
      // Each element leads back to a proc: a pointer at one offset, or a fixed distance.
      bool linked = false;
      for (std::uint64_t b = 0; b < 0x800 && !linked; b += 8) {
        bool all = true;
        for (auto e : elements) all = all && procSet.count(memory.readU64(e + b).value_or(0));
        linked = all;
      }
      if (!linked) {
        const std::int64_t distance =
            static_cast<std::int64_t>(elements[0]) - static_cast<std::int64_t>(out.kernproc);
        bool all = distance > 0;
        for (auto e : elements) all = all && procSet.count(e - distance);
        linked = all;
      }
      if (linked) queues.push_back({w.va, o});
    }
  }
  if (queues.size() == 1) {
    out.runtime["_tasks"] = queues[0].first;
    out.taskChainOffset = queues[0].second;
    out.evidence["_tasks"] =
        "the only __DATA queue head that closes on itself over elements leading back to "
        "procs on allproc";
  }

  // _kmod through lowGlo (lgKmodptr), _msgbufp by the msgbuf magic.
  if (kernel.lowGlobalsPa) {
    const auto kmodVar = physical.readU64(kernel.lowGlobalsPa + LowGlobals::kKmodOffset);
    if (kmodVar && kernelPointer(*kmodVar)) {
      out.runtime["_kmod"] = *kmodVar;
      out.evidence["_kmod"] = "lowGlo lgKmodptr";
    }
  }
  std::vector<std::uint64_t> msgbufs;
  for (const auto& w : words) {
    if (!outsideImage(w.value)) continue;
    const auto magic = memory.readU32(w.value);
    const auto size = memory.readU32(w.value + 4);
    const auto buffer = memory.readU64(w.value + 16);
    if (magic == kMsgbufMagic && size && *size > 0 && *size <= (16u << 20) && buffer &&
        kernelPointer(*buffer)) {
      msgbufs.push_back(w.va);
    }
  }
  // gLoadedKextSummaries: header {version, entry_size, numSummaries, reserved}
  // followed by summaries whose first member is the bundle id (libkern OSKextLibPrivate.h).
  std::vector<std::uint64_t> summaries;
  for (const auto& w : words) {
    if (!outsideImage(w.value)) continue;
    const auto version = memory.readU32(w.value), entrySize = memory.readU32(w.value + 4),
               count = memory.readU32(w.value + 8);
    if (!version || !entrySize || !count || *version < 1 || *version > 4 || *entrySize < 0x60 ||
        *entrySize > 0x400 || *count == 0 || *count > 4096) {
      continue;
    }
    const auto name = memory.readCString(w.value + 16, 64);
    if (name && name->starts_with("com.")) summaries.push_back(w.va);
  }
  if (summaries.size() == 1) {
    out.runtime["_gLoadedKextSummaries"] = summaries[0];
    out.evidence["_gLoadedKextSummaries"] =
        "the only __DATA pointer to a kext summary header whose first "
        "summary names a com.* bundle";
  }
  if (msgbufs.size() == 1) {
    out.runtime["_msgbufp"] = msgbufs[0];
    out.evidence["_msgbufp"] = "the only __DATA pointer to a struct msgbuf (magic 0x63061)";
  }
  return out;
}

}  // namespace xnuscope::derive
