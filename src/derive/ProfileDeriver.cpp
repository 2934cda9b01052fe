#include "derive/ProfileDeriver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "core/Error.h"
#include "derive/AccessorFacts.h"
#include "derive/KernelDataSymbols.h"
#include "mmu/X86_64Translator.h"
#include "profile/WalkerRequirements.h"

namespace xnuscope::derive {
namespace {

constexpr std::size_t kMaxListLength = 4096;
constexpr std::uint64_t kProcScanSpan = 0x800;  // bytes of struct proc searched by data rules
constexpr std::uint64_t kKernelHalf = 0xffff800000000000ull;
constexpr std::uint64_t kPage = 0x1000;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool kernelPointer(std::uint64_t v) {
  return v >= kKernelHalf && (v & 7) == 0 && v != 0xdeadbeefdeadbeefull;
}

struct EntryFlags {
  std::uint64_t word = 0;
  std::uint32_t width = 3;  // protection bits
};

class Deriver {
 public:
  explicit Deriver(const DerivationInputs& in)
      : in_(in), mem_(*in.kernelMemory), kernel_(*in.kernel) {}

  DerivationResult run() {
    const auto t0 = std::chrono::steady_clock::now();
    report_.symbolSource = in_.symbolSource;
    if (in_.symbols.empty()) {
      data_ = findSymbolsByData(*in_.physical, mem_, kernel_);
      if (!data_.failure.empty()) {
        throw AnalysisError(
            "cannot derive a profile: the kernel's symbol table is not resident (__LINKEDIT was "
            "jettisoned; "
            "boot with keepsyms=1), no kernel file was given, and by its data: " +
            data_.failure +
            "; pass the guest's kernel with --kernel /System/Library/Kernels/kernel");
      }
      report_.symbolSource = "data invariants in __DATA (no symbol table)";
    }
    AccessorEnvironment env;
    env.locate = [this](const std::string& s) { return locateFunction(s); };
    env.readCode = [this](std::uint64_t va, std::span<std::uint8_t> out) {
      return mem_.read(va, out);
    };
    env.nameOf = [this](std::uint64_t va) { return nameOf(va); };
    env.readU64 = [this](std::uint64_t va) { return mem_.readU64(va); };
    code_ = readAccessors(env);

    deriveProcList();
    if (!procs_.empty()) {
      deriveProcFields();
      if (field("proc.p_pid").derived()) deriveNames();
      deriveTasks();
      deriveCredentials();
      deriveMaps();
    }
    DerivationResult result;
    result.report = std::move(report_);
    result.report.fields.clear();
    for (auto& [name, field] : fields_) {
      // Fields this build does not have (proc.task on macOS 13) leave no trace.
      if (!field.derived() && field.underivable.empty() && field.evidence.empty()) continue;
      result.report.fields.push_back(field);
    }
    result.profile = buildProfile();
    result.report.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return result;
  }

 private:
  // --- symbols ---------------------------------------------------------------------
  std::optional<std::uint64_t> runtime(const std::string& symbol) const {
    const auto it = in_.symbols.find(symbol);
    if (it != in_.symbols.end()) return kernel_.slideSymbol(it->second);
    const auto found = data_.runtime.find(symbol);
    if (found != data_.runtime.end()) return found->second;
    return std::nullopt;
  }
  // Unslid address of a symbol: from the symbol table, or (found by data) through
  // the segment that holds its runtime address.
  std::optional<std::uint64_t> unslid(const std::string& symbol) const {
    if (const auto it = in_.symbols.find(symbol); it != in_.symbols.end()) return it->second;
    const auto found = data_.runtime.find(symbol);
    if (found == data_.runtime.end()) return std::nullopt;
    for (const auto& segment : kernel_.segments) {
      if (found->second >= segment.runtimeStart &&
          found->second - segment.runtimeStart < segment.size) {
        return found->second - segment.runtimeStart + segment.unslidStart;
      }
    }
    return found->second - kernel_.kaslrSlide;
  }
  std::string symbolEvidence(const std::string& symbol) const {
    if (in_.symbols.count(symbol)) return "symbol: " + in_.symbolSource;
    const auto it = data_.evidence.find(symbol);
    return "data: " + (it == data_.evidence.end() ? std::string("found in __DATA") : it->second);
  }
  std::optional<std::pair<std::uint64_t, std::uint64_t>> locateFunction(const std::string& symbol) {
    const auto it = in_.symbols.find(symbol);
    if (it == in_.symbols.end()) return std::nullopt;
    if (sortedSymbols_.empty()) {
      for (const auto& [name, addr] : in_.symbols) sortedSymbols_.push_back(addr);
      std::sort(sortedSymbols_.begin(), sortedSymbols_.end());
    }
    const auto next = std::upper_bound(sortedSymbols_.begin(), sortedSymbols_.end(), it->second);
    const std::uint64_t size =
        next == sortedSymbols_.end() ? 0x100 : std::min<std::uint64_t>(*next - it->second, 0x400);
    return std::make_pair(kernel_.slideSymbol(it->second), size);
  }
  std::string nameOf(std::uint64_t va) {
    if (byRuntime_.empty()) {
      for (const auto& [name, addr] : in_.symbols)
        byRuntime_.emplace(kernel_.slideSymbol(addr), name);
    }
    const auto it = byRuntime_.find(va);
    return it == byRuntime_.end() ? std::string() : it->second;
  }

  bool hasAccessor(const std::string& symbol) const { return in_.symbols.count(symbol) != 0; }

  // --- field bookkeeping ---------------------------------------------------------------
  DerivedField& field(const std::string& name) {
    auto& f = fields_[name];
    f.name = name;
    return f;
  }
  // The code's value for `name`: every accessor that revealed it must agree.
  std::optional<std::uint64_t> fromCode(const std::string& name) {
    std::optional<std::uint64_t> value;
    DerivedField& f = field(name);
    for (const auto& fact : code_.facts) {
      if (fact.field != name) continue;
      if (value && *value != fact.value) {
        f.underivable = "accessors disagree (" + hex(*value) + " vs " + hex(fact.value) + ")";
        return std::nullopt;
      }
      value = fact.value;
      f.evidence.push_back("code: " + fact.evidence);
    }
    if (!value) {
      for (const auto& failure : code_.failures) {
        if (failure.field == name) f.underivable = failure.reason;
      }
    }
    return value;
  }
  void accept(const std::string& name, std::uint64_t value, const std::string& dataFact) {
    DerivedField& f = field(name);
    f.value = value;
    f.underivable.clear();
    if (!dataFact.empty()) f.evidence.push_back("data: " + dataFact);
  }
  void reject(const std::string& name, const std::string& why) {
    DerivedField& f = field(name);
    f.value.reset();
    if (why.empty()) return;
    if (f.underivable.empty())
      f.underivable = why;
    else
      f.underivable += "; " + why;
  }
  // A code value confirmed (or contradicted) by a data check.
  void confirm(const std::string& name, std::optional<std::uint64_t> codeValue, bool dataAgrees,
               const std::string& dataFact, const std::string& noCodeReason) {
    if (!codeValue) {
      reject(name, field(name).underivable.empty() ? noCodeReason : std::string());
      return;
    }
    if (!dataAgrees) {
      reject(name,
             "the code says " + hex(*codeValue) + " but the data contradicts it: " + dataFact);
      return;
    }
    accept(name, *codeValue, dataFact);
  }

  std::optional<std::uint64_t> u64(std::uint64_t va) const { return mem_.readU64(va); }
  std::optional<std::uint32_t> u32(std::uint64_t va) const { return mem_.readU32(va); }
  std::optional<std::string> cstr(std::uint64_t va, std::size_t n) const {
    return mem_.readCString(va, n);
  }

  // --- processes --------------------------------------------------------------------------
  void deriveProcList() {
    const auto allproc = runtime("_allproc");
    const auto kernprocVar = runtime("_kernproc");
    if (!allproc || !kernprocVar) {
      reject("proc.p_list", std::string("no ") + (allproc ? "_kernproc" : "_allproc") +
                                " symbol (" + in_.symbolSource + ")");
      return;
    }
    const auto kernproc = u64(*kernprocVar);
    const auto first = u64(*allproc);
    if (!kernproc || !first || !kernelPointer(*kernproc) || !kernelPointer(*first)) {
      reject("proc.p_list", "_allproc or _kernproc does not hold a kernel pointer");
      return;
    }
    kernproc_ = *kernproc;
    // LIST_ENTRY {le_next, le_prev}: the first proc's le_prev points at the head,
    // and following le_next reaches kernproc (the first proc ever inserted).
    std::vector<std::uint64_t> candidates;
    for (std::uint64_t o = 0; o < 0x200; o += 8) {
      if (u64(*first + o + 8) != *allproc) continue;
      std::vector<std::uint64_t> chain;
      std::uint64_t p = *first;
      std::uint64_t prevField = *allproc;
      bool ok = true;
      while (p && chain.size() < kMaxListLength) {
        if (!kernelPointer(p) || u64(p + o + 8) != prevField) {
          ok = false;
          break;
        }
        chain.push_back(p);
        prevField = p + o;
        p = u64(p + o).value_or(1);
      }
      if (ok && std::find(chain.begin(), chain.end(), kernproc_) != chain.end()) {
        candidates.push_back(o);
        procs_ = chain;
      }
    }
    if (candidates.size() != 1) {
      reject("proc.p_list", candidates.empty()
                                ? "no offset links _allproc to kernproc with consistent le_prev"
                                : "several offsets link _allproc to kernproc");
      procs_.clear();
      return;
    }
    accept("proc.p_list", candidates[0],
           "the first proc's le_prev points back at _allproc, every le_prev at the previous "
           "le_next, and the "
           "chain of " +
               std::to_string(procs_.size()) + " procs reaches kernproc");
    for (const char* name :
         {"_allproc", "_kernproc", "_tasks", "_kmod", "_msgbufp", "_gLoadedKextSummaries"}) {
      if (!unslid(name)) continue;
      field(name).value = unslid(name);
      field(name).evidence.push_back(symbolEvidence(name));
    }
  }

  // Each proc's 32-bit value at `o`.
  std::vector<std::uint32_t> column32(std::uint64_t o) const {
    std::vector<std::uint32_t> out;
    for (auto p : procs_) out.push_back(u32(p + o).value_or(0xffffffffu));
    return out;
  }

  void deriveProcFields() {
    // p_pid: kernproc 0, every pid distinct, launchd is 1.
    const auto pidCode = fromCode("proc.p_pid");
    bool pidOk = false;
    if (pidCode) {
      const auto pids = column32(*pidCode);
      std::set<std::uint32_t> distinct(pids.begin(), pids.end());
      pidOk =
          u32(kernproc_ + *pidCode) == 0u && distinct.size() == pids.size() && distinct.count(1);
      for (std::size_t i = 0; i < procs_.size(); ++i) pidOf_[procs_[i]] = pids[i];
    }
    const std::string pidFact = "kernproc's pid is 0, one proc is pid 1 and all " +
                                std::to_string(procs_.size()) + " pids on allproc are distinct";
    if (!pidCode && code_.fieldsFor("proc.p_pid").empty() && !hasAccessor("_proc_pid")) {
      // No code to read: the only 32-bit column that looks like pids.
      std::vector<std::uint64_t> hits;
      for (std::uint64_t o = 0; o + 4 <= kProcScanSpan; o += 4) {
        const auto pids = column32(o);
        std::set<std::uint32_t> distinct(pids.begin(), pids.end());
        bool small =
            std::all_of(pids.begin(), pids.end(), [](std::uint32_t v) { return v < 100000; });
        if (small && u32(kernproc_ + o) == 0u && distinct.size() == pids.size() &&
            distinct.count(1))
          hits.push_back(o);
      }
      // Several pid-like columns: keep those for which exactly one (ppid, parent
      // pointer) pair relates every proc to its parent's pid.
      if (hits.size() > 1) {
        std::vector<std::uint64_t> related;
        for (auto o : hits) {
          pidOf_.clear();
          for (std::size_t i = 0; i < procs_.size(); ++i) pidOf_[procs_[i]] = column32(o)[i];
          std::set<std::uint64_t> ppids;
          for (const auto& pair : parentPairs()) ppids.insert(pair.first);
          if (ppids.size() == 1) related.push_back(o);
        }
        pidOf_.clear();
        if (related.size() == 1) {
          hits = related;
          pidRelatedToParents_ = true;
        }
      }
      if (hits.size() == 1) {
        for (std::size_t i = 0; i < procs_.size(); ++i) pidOf_[procs_[i]] = column32(hits[0])[i];
        accept(
            "proc.p_pid", hits[0],
            pidFact + "; the only such column" +
                std::string(pidRelatedToParents_ ? " that matches the parent pointers' pids" : "") +
                " (no proc_pid symbol to read)");
      } else {
        std::string list;
        for (auto o : hits) list += (list.empty() ? "" : ", ") + hex(o);
        reject("proc.p_pid", std::to_string(hits.size()) + " columns look like pids (" + list +
                                 ") and there is no proc_pid to read");
      }
    } else {
      confirm("proc.p_pid", pidCode, pidOk, pidFact, "no proc_pid accessor");
    }
    if (!field("proc.p_pid").derived()) return;

    const auto ppidCode = fromCode("proc.p_ppid");
    bool ppidOk = false;
    if (ppidCode) {
      ppidOk = u32(kernproc_ + *ppidCode) == 0u;
      for (auto p : procs_) {
        const auto ppid = u32(p + *ppidCode);
        bool known = false;
        for (auto& [q, pid] : pidOf_) known = known || (ppid && *ppid == pid);
        ppidOk = ppidOk && known;
      }
    }
    if (!ppidCode && !hasAccessor("_proc_ppid")) {
      const auto pairs = parentPairs();
      std::set<std::uint64_t> hits;
      for (const auto& pair : pairs) hits.insert(pair.first);
      if (hits.size() == 1) {
        accept("proc.p_ppid", *hits.begin(),
               "kernproc's ppid is 0 and on every proc it is the pid of the proc its "
               "parent pointer leads to; the only such column (no proc_ppid symbol)");
      } else {
        std::string list;
        for (auto o : hits) list += (list.empty() ? "" : ", ") + hex(o);
        reject("proc.p_ppid", std::to_string(hits.size()) + " ppid columns (" + list +
                                  ") fit and there is no proc_ppid to read");
      }
    } else {
      confirm("proc.p_ppid", ppidCode, ppidOk,
              "kernproc's ppid is 0 and every ppid is a pid on allproc", "no proc_ppid accessor");
    }
    derivePptr();
  }

  // Without code: the (p_ppid, p_pptr) pairs where every parent pointer leads to
  // the proc whose pid is the ppid, and some ppid differs from 0.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> parentPairs() {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> hits;
    for (std::uint64_t po = 0; po + 8 <= kProcScanSpan; po += 8) {
      bool pointers = true;
      for (auto p : procs_) {
        const auto parent = u64(p + po);
        // a parent is another proc on allproc (no proc is its own parent), or none for kernproc
        pointers = pointers && parent && *parent != p &&
                   (pidOf_.count(*parent) || (*parent == 0 && p == kernproc_));
        if (!pointers) break;
      }
      if (!pointers) continue;
      for (std::uint64_t o = 0; o + 4 <= kProcScanSpan; o += 4) {
        bool ok = u32(kernproc_ + o) == 0u;
        bool nonZero = false;
        for (auto p : procs_) {
          if (!ok) break;
          const auto parent = *u64(p + po);
          if (parent == 0) continue;
          const auto ppid = u32(p + o);
          ok = ppid == pidOf_[parent];
          nonZero = nonZero || (ppid && *ppid != 0);
        }
        if (ok && nonZero) hits.push_back({o, po});
      }
    }
    return hits;
  }

  void derivePptr() {
    // p_pptr: a pointer to the proc whose pid is this proc's ppid.
    if (field("proc.p_ppid").derived()) {
      const std::uint64_t ppidOff = *field("proc.p_ppid").value;
      std::vector<std::uint64_t> hits;
      for (std::uint64_t o = 0; o < kProcScanSpan; o += 8) {
        bool ok = true;
        std::size_t pointers = 0;
        for (auto p : procs_) {
          const auto parent = u64(p + o);
          if (!parent) {
            ok = false;
            break;
          }
          if (*parent == 0 && p == kernproc_) continue;
          const auto it = pidOf_.find(*parent);
          if (it == pidOf_.end() || u32(p + ppidOff) != it->second) {
            ok = false;
            break;
          }
          ++pointers;
        }
        if (ok && pointers + 1 >= procs_.size()) hits.push_back(o);
      }
      if (hits.size() == 1) {
        accept("proc.p_pptr", hits[0],
               "on every proc it points at the proc on allproc whose pid is its p_ppid");
        field("proc.p_pptr").evidence.push_back("data: it is the only offset where that holds");
      } else {
        reject("proc.p_pptr", hits.empty() ? "no offset points every proc at its parent"
                                           : "several offsets point every proc at its parent");
      }
    } else {
      reject("proc.p_pptr", "needs proc.p_ppid");
    }
  }

  void deriveNames() {
    // p_comm: kernproc "kernel_task", pid 1 "launchd".
    const auto commCode = fromCode("proc.p_comm");
    std::uint64_t launchd = 0;
    for (auto& [p, pid] : pidOf_)
      if (pid == 1) launchd = p;
    bool commOk = false;
    if (commCode) {
      commOk = cstr(kernproc_ + *commCode, 16) == std::string("kernel_task") &&
               cstr(launchd + *commCode, 16) == std::string("launchd");
    }
    const std::string commFact = "kernproc's p_comm is \"kernel_task\" and pid 1's is \"launchd\"";
    if (!commCode && data_.kernproc && !hasAccessor("_proc_name") &&
        !hasAccessor("_proc_best_name")) {
      const bool ok = cstr(launchd + data_.commOffset, 16) == std::string("launchd");
      if (ok)
        accept("proc.p_comm", data_.commOffset, commFact + " (no accessor symbol to read)");
      else
        reject("proc.p_comm", "pid 1 is not \"launchd\" at kernel_task's name offset");
    } else {
      confirm("proc.p_comm", commCode, commOk, commFact, "no proc_name or proc_best_name accessor");
    }

    // p_name: code, or right behind p_comm (command_t p_comm; proc_name_t p_name;)
    // when every non-empty p_name begins with the proc's p_comm.
    if (field("proc.p_comm").derived()) {
      const std::uint64_t comm = *field("proc.p_comm").value;
      const auto nameCode = fromCode("proc.p_name");
      const std::uint64_t candidate = nameCode.value_or(comm + 17);
      bool ok = true;
      std::size_t nonEmpty = 0;
      for (auto p : procs_) {
        const auto n = cstr(p + candidate, 32);
        const auto c = cstr(p + comm, 16);
        if (!n || !c) {
          ok = false;
          break;
        }
        if (n->empty()) continue;
        ++nonEmpty;
        ok = ok && n->rfind(*c, 0) == 0;
      }
      const std::string fact =
          "every non-empty name (" + std::to_string(nonEmpty) + ") begins with the proc's p_comm";
      if (nameCode) {
        confirm("proc.p_name", nameCode, ok, fact, "");
      } else if (ok && nonEmpty > 0) {
        accept("proc.p_name", candidate,
               "no accessor reads p_name in this build; it directly follows p_comm "
               "(17 bytes, MAXCOMLEN + 1) and " +
                   fact);
      } else {
        reject("proc.p_name", "no accessor reads it and the bytes after p_comm are not names");
      }
    }
    deriveStartTime();
  }

  void deriveStartTime() {
    // p_start (struct timeval): every tv_sec after 2000 and before 2100, tv_usec < 10^6,
    // nobody started before kernproc.
    std::vector<std::uint64_t> hits;
    for (std::uint64_t o = 0; o + 16 <= kProcScanSpan; o += 8) {
      const auto kSec = u64(kernproc_ + o);
      if (!kSec || *kSec < 946684800ull || *kSec > 4102444800ull) continue;
      bool ok = true;
      for (auto p : procs_) {
        const auto sec = u64(p + o);
        const auto usec = u32(p + o + 8);
        if (!sec || !usec || *sec < *kSec || *sec > 4102444800ull || *usec >= 1000000u) {
          ok = false;
          break;
        }
      }
      if (ok) hits.push_back(o);
    }
    if (hits.size() == 1) {
      accept("proc.p_start", hits[0],
             "the only timeval on every proc with a plausible date, tv_usec < 10^6, "
             "none earlier than kernproc's");
    } else {
      reject("proc.p_start",
             hits.empty() ? "no timeval field on every proc" : "several timeval-like fields");
    }
  }

  // --- tasks ----------------------------------------------------------------------------
  void deriveTasks() {
    const auto taskCode = fromCode("proc.task");
    const auto bsdCode = fromCode("task.bsd_info");
    const auto sizeCode = fromCode("proc_struct_size");
    if (sizeCode) {
      // macOS 13+: task = proc + proc_struct_size. Fact: the tasks queue holds
      // exactly those addresses (checked below with the queue).
      taskFollowsProc_ = *sizeCode;
    }
    auto taskOf = [&](std::uint64_t p) -> std::optional<std::uint64_t> {
      if (taskFollowsProc_) return p + *taskFollowsProc_;
      if (field("proc.task").derived()) return u64(p + *field("proc.task").value);
      return std::nullopt;
    };
    if (taskCode && bsdCode) {
      bool ok = true;
      std::size_t n = 0;
      for (auto p : procs_) {
        const auto t = u64(p + *taskCode);
        if (!t || *t == 0) continue;
        ++n;
        ok = ok && u64(*t + *bsdCode) == p;
      }
      const std::string fact = "for all " + std::to_string(n) +
                               " procs with a task, task.bsd_info points back at the proc";
      confirm("proc.task", taskCode, ok && n > 0, fact, "");
      confirm("task.bsd_info", bsdCode, ok && n > 0, fact, "");
    } else if (!sizeCode && !hasAccessor("_proc_task") && !hasAccessor("_get_bsdtask_info")) {
      // No code: the (proc.task, task.bsd_info) pair where every proc's task points back at it.
      const std::set<std::uint64_t> procSet(procs_.begin(), procs_.end());
      std::vector<std::pair<std::uint64_t, std::uint64_t>> hits;
      for (std::uint64_t t = 0; t + 8 <= kProcScanSpan; t += 8) {
        const auto kt = u64(kernproc_ + t);
        // A task is not itself a proc (le_prev and p_pptr lead to procs).
        if (!kt || !kernelPointer(*kt) || procSet.count(*kt)) continue;
        for (std::uint64_t b = 0; b + 8 <= 0x800; b += 8) {
          bool ok = true;
          for (auto p : procs_) {
            const auto task = u64(p + t);
            ok = ok && task && kernelPointer(*task) && u64(*task + b) == p;
            if (!ok) break;
          }
          if (ok) hits.push_back({t, b});
        }
      }
      if (hits.size() == 1) {
        const std::string fact =
            "for all " + std::to_string(procs_.size()) +
            " procs the task pointer leads to a task whose bsd_info points back; the only "
            "such pair (no accessor symbols)";
        accept("proc.task", hits[0].first, fact);
        accept("task.bsd_info", hits[0].second, fact);
      } else {
        reject("proc.task", std::to_string(hits.size()) +
                                " (task, bsd_info) pairs fit and there is no code to read");
      }
    } else if (!sizeCode) {
      reject("proc.task",
             "neither proc.task with task.bsd_info nor proc_struct_size came from the code");
    }

    // The tasks queue: head in _tasks, queue_chain_t {next, prev} at some offset;
    // its elements are the procs' tasks.
    const auto head = runtime("_tasks");
    if (!head) {
      reject("task.tasks", "no _tasks symbol");
    } else {
      std::set<std::uint64_t> procTasks;
      for (auto p : procs_)
        if (auto t = taskOf(p); t && *t) procTasks.insert(*t);
      const auto first = u64(*head);
      std::vector<std::uint64_t> hits;
      std::size_t count = 0;
      for (std::uint64_t o = 0; first && o < 0x400; o += 8) {
        if (u64(*first + o + 8) != *head) continue;
        std::uint64_t t = *first;
        std::size_t n = 0;
        bool ok = true;
        while (t != *head && n < kMaxListLength) {
          if (!kernelPointer(t) || !procTasks.count(t)) {
            ok = false;
            break;
          }
          ++n;
          t = u64(t + o).value_or(*head);
        }
        if (ok && n > 0 && t == *head) {
          hits.push_back(o);
          count = n;
        }
      }
      if (hits.size() == 1) {
        accept("task.tasks", hits[0],
               "the queue from _tasks closes on its head after " + std::to_string(count) +
                   " tasks, the first task's prev is the head");
        field("task.tasks")
            .evidence.push_back("data: every task on it is the task of a proc on allproc");
        if (taskFollowsProc_) {
          accept(
              "proc_struct_size", *taskFollowsProc_,
              "every task on the _tasks queue is at proc + proc_struct_size of a proc on allproc");
        }
      } else {
        reject("task.tasks", hits.empty()
                                 ? "no queue offset closes through _tasks over the procs' tasks"
                                 : "several queue offsets fit");
        if (taskFollowsProc_) reject("proc_struct_size", "the tasks queue does not confirm it");
      }
    }

    // task.map (two accessors) + the kernel's map in _kernel_map.
    const auto mapCode = fromCode("task.map");
    const auto kernelTask = taskOf(kernproc_);
    const auto kernelMapVar = runtime("_kernel_map");
    bool mapOk = mapCode && kernelTask;
    std::string fact = "kernel_task's map is a kernel pointer";
    if (mapOk) {
      const auto m = u64(*kernelTask + *mapCode);
      mapOk = m && kernelPointer(*m);
      if (mapOk && kernelMapVar) {
        mapOk = u64(*kernelMapVar) == m;
        fact = "kernel_task's map is the one in _kernel_map";
      }
      if (mapOk) kernelMap_ = *m;
    }
    if (!mapCode && kernelTask && !hasAccessor("_get_task_map")) {
      // No code: the task member that leads to a map whose entry list closes through a header.
      std::vector<std::pair<std::uint64_t, std::uint64_t>> hits;
      for (std::uint64_t m = 0; m + 8 <= 0x400; m += 8) {
        const auto map = u64(*kernelTask + m);
        if (!map || !kernelPointer(*map)) continue;
        for (std::uint64_t h = 0; h + 0x20 <= 0x100; h += 8) {
          const MapWalk w = walkMap(*map, h);
          if (w.ok && !w.entries.empty() && (!kernelMapVar || u64(*kernelMapVar) == map))
            hits.push_back({m, h});
        }
      }
      if (hits.size() == 1) {
        kernelMap_ = *u64(*kernelTask + hits[0].first);
        dataMapHeader_ = hits[0].second;
        accept("task.map", hits[0].first,
               "kernel_task's member there leads to a map whose entry list closes through "
               "its header" +
                   std::string(kernelMapVar ? ", the one in _kernel_map" : "") +
                   "; the only such member (no get_task_map symbol)");
      } else {
        reject("task.map", std::to_string(hits.size()) +
                               " task members lead to a map and there is no code to read");
      }
    } else {
      confirm("task.map", mapCode, mapOk, fact, "no get_task_map accessor");
    }

    const auto pmapCode = fromCode("_vm_map.pmap");
    bool pmapOk = false;
    std::string pmapFact = "the kernel map's pmap is a kernel pointer";
    if (pmapCode && kernelMap_) {
      const auto pm = u64(kernelMap_ + *pmapCode);
      pmapOk = pm && kernelPointer(*pm);
      if (pmapOk) kernelPmap_ = *pm;
    }
    if (!pmapCode && kernelMap_ && !hasAccessor("_get_task_pmap")) {
      std::vector<std::uint64_t> hits;
      for (std::uint64_t o = 0; o + 8 <= 0x100; o += 8) {
        const auto pm = u64(kernelMap_ + o);
        if (!pm || !kernelPointer(*pm)) continue;
        for (std::uint64_t c = 0; c + 8 <= 0x100; c += 8) {
          if (u64(*pm + c) == kernel_.dtb) {
            hits.push_back(o);
            break;
          }
        }
      }
      if (hits.size() == 1) {
        kernelPmap_ = *u64(kernelMap_ + hits[0]);
        accept("_vm_map.pmap", hits[0],
               "the kernel map's member there leads to the struct holding the kernel's DTB; "
               "the only such member (no get_task_pmap symbol)");
      } else {
        reject("_vm_map.pmap",
               std::to_string(hits.size()) + " map members lead to the DTB and there is no code");
      }
    } else {
      confirm("_vm_map.pmap", pmapCode, pmapOk, pmapFact, "no get_task_pmap accessor");
    }

    // pmap.pm_cr3: the kernel pmap's cr3 is the kernel's page-table root.
    if (kernelPmap_) {
      std::vector<std::uint64_t> hits;
      for (std::uint64_t o = 0; o < 0x100; o += 8) {
        if (u64(kernelPmap_ + o) == kernel_.dtb) hits.push_back(o);
      }
      if (hits.size() == 1) {
        accept("pmap.pm_cr3", hits[0],
               "the kernel pmap holds the kernel's DTB " + hex(kernel_.dtb) + " there");
        checkUserCr3(hits[0], taskOf);
      } else {
        reject("pmap.pm_cr3",
               hits.empty() ? "the kernel pmap does not hold the DTB" : "the DTB appears twice");
      }
    } else {
      reject("pmap.pm_cr3", "needs the kernel pmap (task.map, _vm_map.pmap)");
    }
  }

  template <typename TaskOf>
  void checkUserCr3(std::uint64_t cr3Off, TaskOf taskOf) {
    // Second fact: each user pmap's PML4 shares the kernel half with the kernel's.
    std::size_t shared = 0, users = 0;
    std::uint64_t kernelSlot = 0;
    in_.physical->read(kernel_.dtb + 511 * 8,
                       std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&kernelSlot), 8));
    for (auto p : procs_) {
      if (p == kernproc_) continue;
      const auto t = taskOf(p);
      if (!t || !*t) continue;
      const auto m = u64(*t + *field("task.map").value);
      if (!m) continue;
      const auto pm = u64(*m + *field("_vm_map.pmap").value);
      if (!pm) continue;
      const auto cr3 = u64(*pm + cr3Off);
      if (!cr3) continue;
      ++users;
      std::uint64_t slot = 0;
      in_.physical->read((*cr3 & ~0xfffull) + 511 * 8,
                         std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&slot), 8));
      if (slot == kernelSlot && slot != 0) ++shared;
      userMaps_.push_back({*m, *cr3 & ~0xfffull});
    }
    if (users > 0 && shared == users) {
      field("pmap.pm_cr3")
          .evidence.push_back("data: all " + std::to_string(users) +
                              " user pmaps' PML4s share the kernel's top slot");
    }
  }

  // --- credentials --------------------------------------------------------------------------
  void deriveCredentials() {
    const auto ucredCode = fromCode("proc.p_ucred");
    const auto roCode = fromCode("proc.p_proc_ro");
    const auto roCredCode = fromCode("proc_ro.p_ucred");
    const auto uidCode = fromCode("ucred.cr_posix.cr_uid");
    const auto gidCode = fromCode("ucred.cr_posix.cr_rgid");
    auto credOf = [&](std::uint64_t p) -> std::optional<std::uint64_t> {
      if (ucredCode) return u64(p + *ucredCode);
      if (roCode && roCredCode) {
        const auto ro = u64(p + *roCode);
        return ro ? u64(*ro + *roCredCode) : std::nullopt;
      }
      return std::nullopt;
    };
    bool credsOk = true;
    for (auto p : procs_) {
      const auto c = credOf(p);
      credsOk = credsOk && c && kernelPointer(*c);
    }
    const std::string credFact = "every proc's credential is a kernel pointer";
    if (ucredCode) {
      confirm("proc.p_ucred", ucredCode, credsOk, credFact, "");
    } else if (roCode && roCredCode) {
      bool back = true;  // proc_ro.pr_proc points back at the proc (xnu-8792 proc_ro.h)
      for (auto p : procs_) back = back && u64(*u64(p + *roCode)) == p;
      confirm("proc.p_proc_ro", roCode, credsOk && back,
              credFact + "; each proc_ro points back at its proc", "");
      confirm("proc_ro.p_ucred", roCredCode, credsOk, credFact, "");
    } else if (!hasAccessor("_proc_ucred") && !hasAccessor("_kauth_cred_getuid")) {
      deriveCredentialsFromData();
      return;
    } else {
      reject("proc.p_ucred",
             field("proc.p_ucred").underivable.empty() ? "no proc_ucred accessor" : "");
      return;
    }
    const auto kcred = credOf(kernproc_);
    const bool uidOk = uidCode && kcred && u32(*kcred + *uidCode) == 0u;
    confirm("ucred.cr_posix.cr_uid", uidCode, uidOk, "kernel_task's uid is 0",
            "no kauth_cred_getuid accessor");
    if (gidCode) {
      const bool gidOk = kcred && u32(*kcred + *gidCode) == 0u;
      confirm("ucred.cr_posix.cr_rgid", gidCode, gidOk, "kernel_task's rgid is 0", "");
    }
  }

  // posix_cred (bsd/sys/ucred.h): cr_uid, cr_ruid, cr_svuid, cr_ngroups, cr_groups[16],
  // cr_rgid, cr_svgid. Without code: the (p_ucred, cr_uid) pair where every proc's
  // uid == ruid == svuid, kernel_task's is 0 and some proc's is not.
  void deriveCredentialsFromData() {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> hits;
    for (std::uint64_t c = 0; c + 8 <= kProcScanSpan; c += 8) {
      const auto kcred = u64(kernproc_ + c);
      if (!kcred || !kernelPointer(*kcred) || pidOf_.count(*kcred)) continue;
      for (std::uint64_t u = 0; u + 12 <= 0x80; u += 4) {
        bool ok = u32(*kcred + u) == 0u;
        bool someoneElse = false;
        for (auto p : procs_) {
          if (!ok) break;
          const auto cred = u64(p + c);
          if (!cred || !kernelPointer(*cred)) {
            ok = false;
            break;
          }
          const auto uid = u32(*cred + u), ruid = u32(*cred + u + 4), svuid = u32(*cred + u + 8);
          ok = uid && uid == ruid && uid == svuid && *uid < 0x80000000u;
          someoneElse = someoneElse || (uid && *uid != 0);
        }
        if (ok && someoneElse) hits.push_back({c, u});
      }
    }
    if (hits.size() != 1) {
      reject("ucred.cr_posix.cr_uid",
             std::to_string(hits.size()) +
                 " (p_ucred, cr_uid) pairs fit and there is no code to read");
      return;
    }
    const std::string fact =
        "every proc's credential has uid == ruid == svuid, 0 for kernel_task and not for "
        "everyone; the only such pair (no accessor symbols)";
    accept("proc.p_ucred", hits[0].first, fact);
    accept("ucred.cr_posix.cr_uid", hits[0].second, fact);
    // cr_rgid sits after cr_groups[16]: 80 bytes past cr_uid; it equals cr_svgid and cr_groups[0].
    const std::uint64_t rgid = hits[0].second + 80;
    bool ok = true;
    for (auto p : procs_) {
      const auto cred = *u64(p + hits[0].first);
      const auto g = u32(cred + rgid);
      ok = ok && g && g == u32(cred + rgid + 4) && g == u32(cred + hits[0].second + 16);
    }
    if (ok)
      accept("ucred.cr_posix.cr_rgid", rgid,
             "cr_uid + 80 (after cr_groups[16]) equals cr_svgid and "
             "cr_groups[0] on every proc");
  }

  // --- vm maps ------------------------------------------------------------------------------
  struct MapWalk {
    std::vector<std::uint64_t> entries;
    bool ok = false;
  };
  // vm_map_links {prev, next, start, end} (osfmk/vm/vm_map.h, unchanged since 10.0):
  // walk from the header at map + links.
  MapWalk walkMap(std::uint64_t map, std::uint64_t links) const {
    MapWalk w;
    const std::uint64_t head = map + links;
    // The commpage may be entered above max_offset, so only the minimum bounds entries.
    const auto minimum = u64(head + 0x10);
    if (!minimum) return w;
    std::uint64_t prev = head;
    auto e = u64(head + 8);
    std::uint64_t lastEnd = *minimum;
    while (e && *e != head && w.entries.size() < 70000) {
      const auto p = u64(*e), s = u64(*e + 0x10), en = u64(*e + 0x18);
      if (!kernelPointer(*e) || p != prev || !s || !en || (*s & 0xfff) || (*en & 0xfff) ||
          *s >= *en || *s < lastEnd) {
        return w;
      }
      w.entries.push_back(*e);
      lastEnd = *en;
      prev = *e;
      e = u64(*e + 8);
    }
    w.ok = e && *e == head && u64(head) == prev;
    return w;
  }

  void deriveMaps() {
    auto minCode = fromCode("_vm_map.min_offset");
    auto maxCode = fromCode("_vm_map.max_offset");
    auto countCode = fromCode("_vm_map.hdr.nentries");
    if (!minCode && dataMapHeader_ && !hasAccessor("_get_map_min")) {
      // No code: the header found with task.map; nentries is the only 32-bit
      // member that equals the list length in every map.
      minCode = *dataMapHeader_ + 0x10;
      maxCode = *dataMapHeader_ + 0x18;
      std::vector<std::uint64_t> hits;
      std::vector<std::pair<std::uint64_t, std::size_t>> lengths;
      if (kernelMap_)
        lengths.push_back({kernelMap_, walkMap(kernelMap_, *dataMapHeader_).entries.size()});
      for (std::uint64_t o = *dataMapHeader_ + 0x20; o + 4 <= *dataMapHeader_ + 0x60; o += 4) {
        bool ok = !lengths.empty();
        for (auto& [m, n] : lengths) ok = ok && u32(m + o) == n;
        if (ok) hits.push_back(o);
      }
      if (hits.size() == 1) countCode = hits[0];
    }
    if (!minCode || !maxCode || !countCode || *maxCode != *minCode + 8 || *minCode < 0x10) {
      for (const char* n : {"_vm_map.hdr", "vm_map_entry.protection"}) {
        reject(n, "needs get_map_min, get_map_max and get_map_nentries to agree on the map header");
      }
      return;
    }
    const std::uint64_t links = *minCode - 0x10;
    std::vector<std::uint64_t> maps;
    if (kernelMap_) maps.push_back(kernelMap_);
    for (auto& [m, cr3] : userMaps_) maps.push_back(m);
    std::size_t checked = 0;
    bool ok = !maps.empty();
    for (auto m : maps) {
      const MapWalk w = walkMap(m, links);
      ok = ok && w.ok && u32(m + *countCode) == w.entries.size();
      if (!ok) break;
      ++checked;
      for (auto e : w.entries) allEntries_.push_back(e);
    }
    const std::string fact =
        "in " + std::to_string(checked) +
        " maps the entry list is circular through the "
        "header, sorted, page aligned, above min_offset and as long as nentries says";
    confirm("_vm_map.hdr", links, ok, fact, "");
    confirm("_vm_map.hdr.nentries", countCode, ok, fact, "");
    confirm("_vm_map.min_offset", minCode, ok, fact, "");
    confirm("_vm_map.max_offset", maxCode, ok, fact, "");
    if (!ok) return;
    accept("vm_map_links.start", 0x10,
           "get_map_min reads the header's start at hdr + 0x10; " + fact);
    deriveEntryFlags();
  }

  // The flags word of vm_map_entry holds, in source order, is_shared:1,
  // is_sub_map:1, in_transition:1, needs_wakeup:1, behavior:2, needs_copy:1,
  // protection:N, max_protection:N, inheritance:2 with N = 3 (4 from xnu-8019).
  // Which word and which N are decided by the data: protection must be a subset of
  // max_protection on every entry, both at most rwx, and the user page tables
  // must agree (a writable PTE only under a writable entry, NX exactly where the
  // entry is not executable).
  void deriveEntryFlags() {
    std::vector<EntryFlags> hits;
    for (std::uint64_t w = 0x20; w < 0x80; w += 4) {
      for (std::uint32_t width : {3u, 4u}) {
        bool ok = true;
        std::size_t nonZero = 0;
        for (auto e : allEntries_) {
          const auto word = u32(e + w);
          if (!word) {
            ok = false;
            break;
          }
          const std::uint32_t prot = (*word >> 7) & ((1u << width) - 1);
          const std::uint32_t max = (*word >> (7 + width)) & ((1u << width) - 1);
          const std::uint32_t inherit = (*word >> (7 + 2 * width)) & 3;
          if (prot > 7 || max > 7 || (prot & ~max) || inherit > 2) {
            ok = false;
            break;
          }
          nonZero += max != 0;
        }
        if (ok && nonZero * 2 > allEntries_.size()) hits.push_back({w, width});
      }
    }
    // The page tables decide between the survivors.
    std::vector<EntryFlags> agreeing;
    std::size_t pagesChecked = 0;
    for (const auto& h : hits) {
      std::size_t pages = 0;
      if (pteAgrees(h, &pages)) {
        agreeing.push_back(h);
        pagesChecked = pages;
      }
    }
    if (agreeing.size() != 1) {
      for (const char* n :
           {"vm_map_entry.protection", "vm_map_entry.max_protection", "vm_map_entry.inheritance"}) {
        reject(n, std::to_string(hits.size()) + " flag-word candidates pass prot within maxprot, " +
                      std::to_string(agreeing.size()) +
                      " agree with the page tables; need exactly one");
      }
      return;
    }
    flags_ = agreeing[0];
    const std::string sub = "on all " + std::to_string(allEntries_.size()) +
                            " entries prot is within maxprot and "
                            "inheritance is share/copy/none";
    const std::string pte =
        std::to_string(pagesChecked) + " resident user pages: PTE writable and NX bits agree";
    auto bits = [&](const std::string& name, std::uint32_t start, std::uint32_t count) {
      accept(name, flags_.word, sub);
      field(name).evidence.push_back("data: " + pte);
      field(name).bitStart = start;
      field(name).bitCount = count;
    };
    bits("vm_map_entry.protection", 7, flags_.width);
    bits("vm_map_entry.max_protection", 7 + flags_.width, flags_.width);
    bits("vm_map_entry.inheritance", 7 + 2 * flags_.width, 2);
    deriveEntryObject();
  }

  bool pteAgrees(const EntryFlags& h, std::size_t* pages) const {
    std::size_t checked = 0;
    for (auto& [map, cr3] : userMaps_) {
      X86_64Translator user(*in_.physical, cr3);
      for (auto e : walkMap(map, *fields_.at("_vm_map.hdr").value).entries) {
        const auto word = u32(e + h.word);
        const std::uint64_t start = *u64(e + 0x10), end = *u64(e + 0x18);
        const std::uint32_t prot = (*word >> 7) & ((1u << h.width) - 1);
        for (std::uint64_t va = start; va < end && va < start + 4 * kPage; va += kPage) {
          const auto t = user.translate(va);
          if (!t || !t->user) continue;
          ++checked;
          if (t->writable != bool(prot & 2) || t->executable != bool(prot & 4)) return false;
        }
      }
    }
    *pages = checked;
    return checked > 0;
  }

  // Object and offset: the two 64-bit members right before the flags word
  // (vme_object union, vme_offset). Packed (xnu-8792+, 4-bit protections): the
  // object is 32 bits in the upper half of the union word. The submap bit marks
  // entries whose object is another vm_map (its own entry list closes).
  void deriveEntryObject() {
    const std::uint64_t objectOff = flags_.word - 0x10, offsetOff = flags_.word - 8;
    // Packed (xnu-8792+) or a plain pointer (also beside 4-bit protections in
    // xnu-8019): plain when every word that is not a submap's is 0 or a kernel
    // pointer; packed when instead the upper 32 bits decode to kernel pointers.
    bool plainOk = true, packedOk = true;
    for (auto e : allEntries_) {
      const auto word = u64(e + objectOff);
      if (!word || (*word & 2)) continue;  // submap entries (bit 1) are checked below
      plainOk = plainOk && (*word == 0 || kernelPointer(*word));
      const std::uint64_t p = *word >> 32;
      packedOk = packedOk && (p == 0 || kernelPointer((p << 6) + 0xffffff7f80000000ull)) &&
                 (*word & 0xfffffffcull) == 0;
    }
    const bool packed = !plainOk && packedOk;
    std::size_t submaps = 0, objects = 0;
    bool ok = plainOk || packedOk;
    const std::uint64_t subWord = packed ? objectOff : flags_.word;
    for (auto e : allEntries_) {
      const auto word = u64(e + objectOff);
      const auto flagBits = u32(e + subWord);
      if (!word || !flagBits) {
        ok = false;
        break;
      }
      const bool sub = (*flagBits >> 1) & 1;
      if (sub) {
        const std::uint64_t submap = *word & ~3ull;
        if (!walkMap(submap, *field("_vm_map.hdr").value).ok) {
          ok = false;
          break;
        }
        ++submaps;
      } else if (packed) {
        const std::uint64_t p = *word >> 32;
        if (p && !kernelPointer((p << 6) + 0xffffff7f80000000ull)) {
          ok = false;
          break;
        }
        objects += p != 0;
      } else {
        if (*word && !kernelPointer(*word)) {
          ok = false;
          break;
        }
        objects += *word != 0;
      }
    }
    if (!ok) {
      reject("vm_map_entry.vme_object",
             "the words before the flags are not object pointers on every entry");
      return;
    }
    accept("vm_map_entry.vme_object", objectOff,
           std::to_string(objects) + " entries hold a vm_object pointer" +
               (packed ? " (packed 32-bit)" : "") + " and all " + std::to_string(submaps) +
               " submap entries a vm_map whose entry list closes");
    packedObject_ = packed;
    accept("vm_map_entry.is_sub_map", subWord,
           "bit 1 set exactly on entries whose object is a vm_map");
    field("vm_map_entry.is_sub_map").bitStart = 1;
    field("vm_map_entry.is_sub_map").bitCount = 1;
    // The VM tag: low 12 bits of vme_offset from xnu-3247 (Darwin 15), else the
    // 8-bit alias after use_pmap in the flags word.
    std::size_t lowBits = 0, aliasBits = 0;
    for (auto e : allEntries_) {
      lowBits += (u64(e + offsetOff).value_or(0) & 0xfff) != 0;
      // 8-bit alias after use_pmap exists only beside 3-bit protections (before xnu-3247).
      if (flags_.width == 3) aliasBits += ((u32(e + flags_.word).value_or(0) >> 16) & 0xff) != 0;
    }
    const bool darwin15 = kernel_.versionMajor >= 15;
    if (lowBits > 0 && aliasBits == 0 && darwin15) {
      accept("vm_map_entry.vme_offset", offsetOff,
             std::to_string(lowBits) +
                 " entries carry a tag in the offset's "
                 "low 12 bits; the banner says Darwin " +
                 std::to_string(kernel_.versionMajor) + " (tag moved there in 15)");
    } else if (lowBits == 0 && aliasBits > 0 && !darwin15) {
      accept("vm_map_entry.vme_offset", offsetOff, "every offset is page aligned");
      accept("vm_map_entry.alias", flags_.word,
             std::to_string(aliasBits) +
                 " entries carry an 8-bit alias after "
                 "use_pmap; the banner says Darwin " +
                 std::to_string(kernel_.versionMajor) + " (before 15)");
      field("vm_map_entry.alias").bitStart = 16;
      field("vm_map_entry.alias").bitCount = 8;
    } else {
      reject("vm_map_entry.vme_offset",
             "the tag location in the data and the kernel version disagree");
    }
  }

  // --- the profile ------------------------------------------------------------------------------
  void put(Profile& p, const std::string& s, const std::string& name, const std::string& type,
           std::uint64_t elementCount = 1, const std::string& fieldName = "") {
    const DerivedField* f = report_.find(fieldName.empty() ? s + "." + name : fieldName);
    const auto it = fields_.find(fieldName.empty() ? s + "." + name : fieldName);
    if (it == fields_.end() || !it->second.derived()) return;
    (void)f;
    Field out;
    out.offset = *it->second.value;
    out.type = type;
    out.elementCount = elementCount;
    if (it->second.bitStart) out.bits = BitField{*it->second.bitStart, *it->second.bitCount};
    p.structs[s].fields[name] = out;
  }

  Profile buildProfile() {
    Profile p;
    const std::string id = !kernel_.build.empty() ? kernel_.build : kernel_.uuid;
    p.name = "derived-" + (id.empty() ? std::string("unknown") : id);
    p.build = kernel_.build;
    p.banner = kernel_.banner;
    if (!kernel_.uuid.empty()) p.uuid = kernel_.uuid;
    const auto x = kernel_.banner.find("root:xnu-");
    if (x != std::string::npos)
      p.xnu = kernel_.banner.substr(x + 5, kernel_.banner.find('~', x) - x - 5);
    p.layoutSource = "derived";
    p.provenance.source = "kernel in memory (" + in_.symbolSource + ")";
    p.provenance.tool = "xnuscope derive";

    put(p, "proc", "p_list", "void *[2]", 2);
    put(p, "proc", "p_pid", "int");
    put(p, "proc", "p_ppid", "int");
    put(p, "proc", "p_pptr", "proc *");
    put(p, "proc", "task", "task *");
    put(p, "proc", "p_ucred", "ucred *");
    put(p, "proc", "p_proc_ro", "proc_ro *");
    put(p, "proc", "p_comm", "char[17]", 17);
    put(p, "proc", "p_name", "char[33]", 33);
    put(p, "proc", "p_start", "timeval");
    put(p, "proc_ro", "p_ucred", "ucred *");
    put(p, "ucred", "cr_uid", "unsigned int", 1, "ucred.cr_posix.cr_uid");
    put(p, "ucred", "cr_rgid", "unsigned int", 1, "ucred.cr_posix.cr_rgid");
    put(p, "task", "map", "_vm_map *");
    put(p, "task", "tasks", "queue_entry");
    put(p, "task", "bsd_info", "void *");
    put(p, "_vm_map", "pmap", "pmap *");
    put(p, "_vm_map", "hdr", "vm_map_header", 1, "_vm_map.hdr");
    put(p, "pmap", "pm_cr3", "unsigned long long");
    for (const char* n : {"protection", "max_protection", "inheritance", "is_sub_map", "alias"}) {
      put(p, "vm_map_entry", n, "unsigned int");
    }
    put(p, "vm_map_entry", "vme_offset", "unsigned long long");
    if (packedObject_) {
      if (auto it = fields_.find("vm_map_entry.vme_object");
          it != fields_.end() && it->second.derived()) {
        p.structs["vm_map_entry"].fields["vme_object_or_delta"] =
            Field{*it->second.value + 4, "unsigned int", {}, 1};
        p.structs["vm_map_entry"].fields["vme_object_value"] =
            Field{*it->second.value, "unsigned long long", {}, 1};
      }
    } else {
      put(p, "vm_map_entry", "vme_object", "vm_object *");
    }
    // Sizes: struct proc must cover every field read (macOS 13: proc_struct_size).
    auto end = [&](const std::string& s) {
      std::uint64_t e = 0;
      for (auto& [n, f] : p.structs[s].fields) {
        std::uint64_t size =
            f.type.find('*') != std::string::npos || f.type == "unsigned long long" ? 8 : 4;
        if (f.type == "char[17]") size = 17;
        if (f.type == "char[33]") size = 33;
        if (f.type == "timeval" || f.type == "queue_entry" || f.type == "void *[2]") size = 16;
        e = std::max(e, f.offset + size);
      }
      return (e + 15) / 16 * 16;
    };
    if (p.structs.count("proc")) {
      p.structs["proc"].size =
          taskFollowsProc_ && field("proc_struct_size").derived() ? *taskFollowsProc_ : end("proc");
    }
    for (const char* s : {"proc_ro", "ucred", "task", "_vm_map", "pmap", "vm_map_entry"}) {
      if (p.structs.count(s)) p.structs[s].size = end(s);
    }
    if (p.structs.count("_vm_map") && fields_.count("_vm_map.hdr.nentries") &&
        fields_["_vm_map.hdr.nentries"].derived()) {
      const std::uint64_t hdr = *fields_["_vm_map.hdr"].value;
      p.structs["vm_map_header"].size = 0x28;
      p.structs["vm_map_header"].fields["links"] = Field{0, "vm_map_links", {}, 1};
      p.structs["vm_map_header"].fields["nentries"] =
          Field{*fields_["_vm_map.hdr.nentries"].value - hdr, "int", {}, 1};
      p.structs["vm_map_links"].size = 0x20;
      p.structs["vm_map_links"].fields = {{"prev", Field{0, "vm_map_entry *", {}, 1}},
                                          {"next", Field{8, "vm_map_entry *", {}, 1}},
                                          {"start", Field{0x10, "unsigned long long", {}, 1}},
                                          {"end", Field{0x18, "unsigned long long", {}, 1}}};
      if (p.structs.count("vm_map_entry")) {
        p.structs["vm_map_entry"].fields["links"] = Field{0, "vm_map_links", {}, 1};
        p.structs["vm_map_entry"].size =
            std::max<std::uint64_t>(p.structs["vm_map_entry"].size, 0x20);
      }
    }
    p.structs["timeval"] = StructLayout{
        16, {{"tv_sec", Field{0, "long", {}, 1}}, {"tv_usec", Field{8, "int", {}, 1}}}};
    p.structs["queue_entry"] = StructLayout{
        16,
        {{"next", Field{0, "queue_entry *", {}, 1}}, {"prev", Field{8, "queue_entry *", {}, 1}}}};
    for (const auto& name : walkerSymbolNames()) {
      if (auto address = unslid(name)) p.symbols[name] = *address;
    }
    if (auto it = in_.symbols.find("_proc_struct_size"); it != in_.symbols.end())
      p.symbols[it->first] = it->second;
    return p;
  }

  const DerivationInputs& in_;
  DataSymbols data_;
  const VirtualMemory& mem_;
  const KernelInfo& kernel_;
  AccessorFindings code_;
  DerivationReport report_;
  std::map<std::string, DerivedField> fields_;
  std::vector<std::uint64_t> sortedSymbols_;
  std::map<std::uint64_t, std::string> byRuntime_;
  std::uint64_t kernproc_ = 0;
  std::vector<std::uint64_t> procs_;
  std::map<std::uint64_t, std::uint32_t> pidOf_;
  std::optional<std::uint64_t> taskFollowsProc_;
  std::uint64_t kernelMap_ = 0;
  std::uint64_t kernelPmap_ = 0;
  std::optional<std::uint64_t> dataMapHeader_;
  bool pidRelatedToParents_ = false;  // found by data when there is no get_map_min
  std::vector<std::pair<std::uint64_t, std::uint64_t>> userMaps_;  // map, cr3
  std::vector<std::uint64_t> allEntries_;
  EntryFlags flags_;
  bool packedObject_ = false;
};

}  // namespace

DerivationResult deriveProfile(const DerivationInputs& inputs) {
  if (!inputs.physical || !inputs.kernelMemory || !inputs.kernel) {
    throw AnalysisError("derivation needs the located kernel and its memory");
  }
  return Deriver(inputs).run();
}

const std::vector<std::string>& requiredDerivedFields() {
  static const std::vector<std::string> names = {"proc.p_list",
                                                 "proc.p_pid",
                                                 "proc.p_ppid",
                                                 "proc.p_pptr",
                                                 "proc.p_comm",
                                                 "ucred.cr_posix.cr_uid",
                                                 "task.tasks",
                                                 "task.map",
                                                 "_vm_map.pmap",
                                                 "pmap.pm_cr3",
                                                 "_vm_map.hdr",
                                                 "vm_map_entry.protection",
                                                 "vm_map_entry.max_protection",
                                                 "vm_map_entry.inheritance",
                                                 "vm_map_entry.is_sub_map",
                                                 "vm_map_entry.vme_object",
                                                 "vm_map_entry.vme_offset"};
  return names;
}

}  // namespace xnuscope::derive
