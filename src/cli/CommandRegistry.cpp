#include <algorithm>

#include "cli/Command.h"

namespace xnuscope::cli {

CommandRegistry& CommandRegistry::instance() {
  static CommandRegistry registry;
  return registry;
}

void CommandRegistry::add(std::unique_ptr<Command> command) {
  commands_.push_back(std::move(command));
  std::sort(commands_.begin(), commands_.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
}

Command* CommandRegistry::find(const std::string& name) const {
  for (const auto& command : commands_) {
    if (command->name() == name) return command.get();
  }
  return nullptr;
}

}  // namespace xnuscope::cli
