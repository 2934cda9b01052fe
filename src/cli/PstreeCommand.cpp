// `xnuscope pstree`: the process list as a tree by parent pid, depth first,
// children in pid order. Processes whose parent is not in the list are roots.
#include <algorithm>
#include <map>
#include <set>

#include "cli/Command.h"
#include "cli/Rows.h"
#include "cli/Session.h"

namespace xnuscope::cli {
namespace {

class PstreeCommand : public Command {
 public:
  std::string name() const override { return "pstree"; }
  std::string summary() const override { return "processes as a parent/child tree"; }

  int run(Session& session, const boost::program_options::variables_map&) override {
    // The kernel walk, or the beacon fallback when no kernel or profile serves.
    const engine::ProcessList list = session.target().processes();
    const auto& processes = list.processes;

    std::map<std::int32_t, std::size_t> byPid;  // first row wins (live before zombie)
    for (std::size_t i = 0; i < processes.size(); ++i) byPid.emplace(processes[i].pid, i);
    std::map<std::size_t, std::vector<std::size_t>> children;
    std::vector<std::size_t> roots;
    for (std::size_t i = 0; i < processes.size(); ++i) {
      const auto parent = byPid.find(processes[i].ppid);
      // pid 0 is its own parent (kernel_task); anything whose parent is missing
      // (exited, or on a list that was cut) starts its own tree.
      if (parent == byPid.end() || parent->second == i) {
        roots.push_back(i);
      } else {
        children[parent->second].push_back(i);
      }
    }
    auto byPidOrder = [&](std::size_t a, std::size_t b) {
      return processes[a].pid != processes[b].pid ? processes[a].pid < processes[b].pid : a < b;
    };
    std::sort(roots.begin(), roots.end(), byPidOrder);
    for (auto& [parent, list] : children) std::sort(list.begin(), list.end(), byPidOrder);

    auto rows = nlohmann::ordered_json::array();
    std::set<std::size_t> emitted;
    // Iterative depth-first walk; `emitted` guards against ppid cycles (a process
    // cannot be its own ancestor in a sane kernel, but memory can say so).
    std::vector<std::pair<std::size_t, int>> stack;
    auto pushChildren = [&](std::size_t node, int depth) {
      const auto it = children.find(node);
      if (it == children.end()) return;
      for (auto child = it->second.rbegin(); child != it->second.rend(); ++child) {
        stack.emplace_back(*child, depth);
      }
    };
    auto walkFrom = [&](std::size_t root) {
      stack.emplace_back(root, 0);
      while (!stack.empty()) {
        const auto [node, depth] = stack.back();
        stack.pop_back();
        if (!emitted.insert(node).second) continue;
        auto row = processRow(processes[node]);
        row["depth"] = depth;
        row["tree"] = std::string(static_cast<std::size_t>(depth) * 2, ' ') +
                      (depth ? "\\_ " : "") + processes[node].name;
        rows.push_back(row);
        pushChildren(node, depth + 1);
      }
    };
    for (const std::size_t root : roots) walkFrom(root);
    // Members of a ppid cycle have no root; list them rather than drop them.
    std::vector<std::string> warnings = list.warnings;
    bool complete = list.complete;
    for (std::size_t i = 0; i < processes.size(); ++i) {
      if (emitted.count(i)) continue;
      warnings.push_back("pid " + std::to_string(processes[i].pid) +
                         " is in a parent-pid cycle; shown as a root");
      complete = false;
      walkFrom(i);
    }

    Report report;
    report.setCompleteness(complete, warnings);
    report.document["processes"] = rows;
    report.rowsKey = "processes";
    report.columns = {{"pid", "PID", true},       {"ppid", "PPID", true},
                      {"uid", "UID", true},       {"tree", "NAME", false},
                      {"address", "PROC", false}, {"start_time", "START", false}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(PstreeCommand);

}  // namespace
}  // namespace xnuscope::cli
