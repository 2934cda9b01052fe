#include "derive/AccessorFacts.h"

#include <array>
#include <cstdio>
#include <set>

#include "derive/InstructionPrinter.h"

namespace xnuscope::derive {
namespace {

using Kind = SymbolicValue::Kind;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool sameValue(const ValuePtr& a, const ValuePtr& b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->offset != b->offset) return false;
  switch (a->kind) {
    case Kind::Unknown:
      return false;
    case Kind::Argument:
      return a->index == b->index;
    case Kind::Constant:
      return true;
    case Kind::Global:
    case Kind::CallResult:
      return a->address == b->address;
    case Kind::Load:
      return a->disp == b->disp && a->width == b->width && sameValue(a->base, b->base);
    case Kind::Sum:
    case Kind::Difference:
      return sameValue(a->base, b->base) && sameValue(a->other, b->other);
  }
  return false;
}

class AccessorReader {
 public:
  explicit AccessorReader(const AccessorEnvironment& env) : env_(env) {}

  AccessorFindings run() {
    readPid("_proc_pid", "proc.p_pid");
    readPid("_proc_ppid", "proc.p_ppid");
    readTask();
    readBsdInfo();
    readField("_get_task_map", "task.map", 8);
    readTaskPmap();
    readField("_get_map_min", "_vm_map.min_offset", 8);
    readField("_get_map_max", "_vm_map.max_offset", 8);
    readField("_get_map_nentries", "_vm_map.hdr.nentries", 4);
    readField("_kauth_cred_getuid", "ucred.cr_posix.cr_uid", 4);
    readField("_kauth_cred_getrgid", "ucred.cr_posix.cr_rgid", 4);
    readUcred();
    readBestName();
    readProcName();
    return std::move(findings_);
  }

 private:
  struct Function {
    std::string symbol;
    FunctionSummary summary;
  };

  std::optional<Function> analyze(const std::string& symbol,
                                  const std::vector<std::string>& fields) {
    const auto where = env_.locate(symbol);
    if (!where) return std::nullopt;  // the build has no such accessor: not a failure
    // panic() never returns: its path is not one of the accessor's results.
    const AccessorAnalyzer analyzer(env_.readCode, [this](std::uint64_t callee) {
      const std::string name = env_.nameOf(callee);
      return name == "_panic" || name == "_Assert";
    });
    Function f{symbol, analyzer.analyze(where->first, where->second)};
    if (!f.summary.failure.empty()) {
      fail(fields, symbol + ": " + f.summary.failure);
      return std::nullopt;
    }
    return f;
  }

  void fail(const std::vector<std::string>& fields, const std::string& reason) {
    for (const auto& field : fields) findings_.failures.push_back({field, reason});
  }

  std::string at(const Function& f, std::uint64_t site) const {
    std::array<std::uint8_t, 16> bytes{};
    const std::size_t n = env_.readCode(site, bytes);
    return f.symbol.substr(1) + "+" + std::to_string(site - f.summary.entry) + ": " +
           printer_.text(std::span<const std::uint8_t>(bytes.data(), n), site);
  }

  void add(const Function& f, const std::string& field, std::uint64_t value, std::uint64_t site,
           const std::string& flow) {
    findings_.facts.push_back({field, value, at(f, site) + " (" + flow + ")"});
  }

  // The one value every non-constant return path yields; nullptr when paths disagree.
  static ValuePtr uniqueResult(const FunctionSummary& s, std::string* why) {
    ValuePtr result;
    for (const PathEnd* end : s.returns()) {
      // Constants are the NULL paths.
      if (!end->result || end->result->kind == Kind::Constant) continue;
      if (result && !sameValue(result, end->result)) {
        *why = "its return paths yield different values (" + result->describe() + ", " +
               end->result->describe() + ")";
        return nullptr;
      }
      result = end->result;
    }
    if (!result) {
      *why =
          "none of its " + std::to_string(s.ends.size()) +
          " paths returns a value other than a constant (traps or foreign code: not the accessor)";
    }
    return result;
  }

  std::string constantReturns(const FunctionSummary& s) const {
    std::set<std::int64_t> constants;
    for (const PathEnd* end : s.returns()) {
      if (end->result && end->result->kind == Kind::Constant) constants.insert(end->result->offset);
    }
    std::string out;
    for (auto c : constants) out += (out.empty() ? "" : ", ") + std::to_string(c);
    return out;
  }

  void readField(const std::string& symbol, const std::string& field, unsigned width) {
    auto f = analyze(symbol, {field});
    if (!f) return;
    std::string why;
    const ValuePtr r = uniqueResult(f->summary, &why);
    if (!r) return fail({field}, symbol + ": " + why);
    if (!r->isLoadFromArgument(0, width)) {
      return fail({field}, symbol + " returns " + r->describe() + ", not a " +
                               std::to_string(width * 8) + "-bit load from its argument");
    }
    add(*f, field, static_cast<std::uint64_t>(r->disp), r->site, "returns " + r->describe());
  }

  void readPid(const std::string& symbol, const std::string& field) {
    auto f = analyze(symbol, {field});
    if (!f) return;
    std::string why;
    const ValuePtr r = uniqueResult(f->summary, &why);
    if (!r) return fail({field}, symbol + ": " + why);
    if (!r->isLoadFromArgument(0, 4)) {
      return fail({field},
                  symbol + " returns " + r->describe() + ", not a 32-bit load from its argument");
    }
    std::string flow = "returns " + r->describe();
    const std::string constants = constantReturns(f->summary);
    if (!constants.empty()) flow += "; returns " + constants + " when the proc is NULL";
    add(*f, field, static_cast<std::uint64_t>(r->disp), r->site, flow);
  }

  // proc_struct_size: the value of the global both proc_task and get_bsdtask_info add.
  bool addStructSize(const Function& f, const ValuePtr& global, std::uint64_t site,
                     const std::string& flow) {
    if (global->kind != Kind::Load || global->width != 8 || global->base->kind != Kind::Global)
      return false;
    const std::uint64_t va = global->base->address + global->disp;
    const auto value = env_.readU64(va);
    if (!value || *value == 0 || *value > 0x10000) return false;
    std::string name = env_.nameOf(va);
    add(f, "proc_struct_size", *value, site,
        flow + "; " + (name.empty() ? hex(va) : name) + " holds " + hex(*value));
    return true;
  }

  void readTask() {
    auto f = analyze("_proc_task", {"proc.task"});
    if (!f) return;
    std::string why;
    const ValuePtr r = uniqueResult(f->summary, &why);
    if (!r) return fail({"proc.task"}, "_proc_task: " + why);
    if (r->isLoadFromArgument(0, 8)) {
      return add(*f, "proc.task", static_cast<std::uint64_t>(r->disp), r->site,
                 "returns " + r->describe());
    }
    if (r->kind == Kind::Sum && r->offset == 0) {
      const ValuePtr& a = r->base;
      const ValuePtr& b = r->other;
      const ValuePtr global = a->isArgument(0) ? b : (b->isArgument(0) ? a : nullptr);
      if (global && addStructSize(*f, global, r->site,
                                  "returns " + r->describe() + ": the task follows the proc")) {
        return;
      }
    }
    fail({"proc.task"}, "_proc_task returns " + r->describe() +
                            ", neither a load from the proc nor the proc plus a global size");
  }

  void readBsdInfo() {
    auto f = analyze("_get_bsdtask_info", {"task.bsd_info"});
    if (!f) return;
    std::string why;
    const ValuePtr r = uniqueResult(f->summary, &why);
    if (!r) return fail({"task.bsd_info"}, "_get_bsdtask_info: " + why);
    if (r->isLoadFromArgument(0, 8)) {
      return add(*f, "task.bsd_info", static_cast<std::uint64_t>(r->disp), r->site,
                 "returns " + r->describe());
    }
    if (r->kind == Kind::Difference && r->offset == 0 && r->base->isArgument(0) &&
        addStructSize(*f, r->other, r->site,
                      "returns " + r->describe() + ": the proc precedes the task")) {
      return;
    }
    fail({"task.bsd_info"}, "_get_bsdtask_info returns " + r->describe() +
                                ", neither a load from the task nor the task minus a global size");
  }

  void readTaskPmap() {
    auto f = analyze("_get_task_pmap", {"_vm_map.pmap"});
    if (!f) return;
    std::string why;
    const ValuePtr r = uniqueResult(f->summary, &why);
    if (!r) return fail({"_vm_map.pmap"}, "_get_task_pmap: " + why);
    if (r->kind == Kind::Load && r->offset == 0 && r->width == 8 &&
        r->base->isLoadFromArgument(0, 8)) {
      add(*f, "task.map", static_cast<std::uint64_t>(r->base->disp), r->base->site,
          "loads the map: " + r->base->describe());
      add(*f, "_vm_map.pmap", static_cast<std::uint64_t>(r->disp), r->site,
          "returns " + r->describe());
      return;
    }
    fail({"_vm_map.pmap"}, "_get_task_pmap returns " + r->describe() + ", not task->map->pmap");
  }

  void readUcred() {
    auto f = analyze("_proc_ucred", {"proc.p_ucred"});
    if (!f) return;
    std::string why;
    const ValuePtr r = uniqueResult(f->summary, &why);
    if (!r) return fail({"proc.p_ucred"}, "_proc_ucred: " + why);
    if (r->isLoadFromArgument(0, 8)) {
      return add(*f, "proc.p_ucred", static_cast<std::uint64_t>(r->disp), r->site,
                 "returns " + r->describe());
    }
    if (r->kind == Kind::Load && r->offset == 0 && r->width == 8 &&
        r->base->isLoadFromArgument(0, 8)) {
      add(*f, "proc.p_proc_ro", static_cast<std::uint64_t>(r->base->disp), r->base->site,
          "loads p_proc_ro: " + r->base->describe());
      add(*f, "proc_ro.p_ucred", static_cast<std::uint64_t>(r->disp), r->site,
          "returns " + r->describe());
      return;
    }
    fail({"proc.p_ucred"},
         "_proc_ucred returns " + r->describe() + ", not p->p_ucred nor p->p_proc_ro->p_ucred");
  }

  // proc_best_name: `p_name[0] ? p->p_name : p->p_comm` — the name is the address
  // whose first byte the path tested non-zero.
  void readBestName() {
    auto f = analyze("_proc_best_name", {"proc.p_name", "proc.p_comm"});
    if (!f) return;
    std::optional<std::int64_t> name, comm;
    std::uint64_t nameSite = 0, commSite = 0;
    for (const PathEnd* end : f->summary.returns()) {
      if (!end->result || end->result->kind != Kind::Argument || end->result->index != 0) continue;
      const std::int64_t off = end->result->offset;
      bool testedNonZero = false;
      for (const auto& c : end->conditions) {
        if (c.lhs && c.lhs->isLoadFromArgument(0, 1) && c.lhs->disp == off && c.rhs &&
            c.rhs->kind == Kind::Constant && c.rhs->offset == 0 && !c.equal) {
          testedNonZero = true;
        }
      }
      if (testedNonZero) {
        name = off;
        nameSite = end->result->site;
      } else {
        comm = off;
        commSite = end->result->site;
      }
    }
    if (!name || !comm || *name == *comm) {
      return fail(
          {"proc.p_name", "proc.p_comm"},
          "_proc_best_name does not return one argument offset when its first byte is non-zero "
          "and another otherwise");
    }
    add(*f, "proc.p_name", static_cast<std::uint64_t>(*name), nameSite,
        "returned when byte arg0 + " + hex(*name) + " is non-zero");
    add(*f, "proc.p_comm", static_cast<std::uint64_t>(*comm), commSite, "returned otherwise");
  }

  // proc_name: p = proc_find(pid); strlcpy(buf, p->p_comm, size); proc_rele(p).
  void readProcName() {
    auto f = analyze("_proc_name", {"proc.p_comm"});
    if (!f) return;
    for (const auto& call : f->summary.calls) {
      const ValuePtr& source = call.arguments[1];
      if (!source || source->kind != Kind::CallResult || source->offset <= 0) continue;
      const std::string finder = env_.nameOf(source->address);
      const std::string copier = env_.nameOf(call.callee);
      add(*f, "proc.p_comm", static_cast<std::uint64_t>(source->offset), call.site,
          "copies from " + (finder.empty() ? hex(source->address) : finder) + "(pid) + " +
              hex(source->offset) + " with " + (copier.empty() ? hex(call.callee) : copier));
      return;
    }
    fail({"proc.p_comm"}, "_proc_name passes no offset into a looked-up proc to any call");
  }

  const AccessorEnvironment& env_;
  AccessorFindings findings_;
  InstructionPrinter printer_;
};

}  // namespace

std::vector<std::string> AccessorFindings::fieldsFor(const std::string& field) const {
  std::vector<std::string> out;
  for (const auto& f : facts) {
    if (f.field == field) out.push_back(f.evidence);
  }
  return out;
}

AccessorFindings readAccessors(const AccessorEnvironment& env) { return AccessorReader(env).run(); }

}  // namespace xnuscope::derive
