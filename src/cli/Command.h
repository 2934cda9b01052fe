// One xnuscope subcommand. Each lives in its own file and registers itself with
// XNUSCOPE_REGISTER_COMMAND, so adding a command never touches main.cpp.
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <string>

namespace xnuscope::cli {

class Session;

class Command {
 public:
  virtual ~Command() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  // Usage line after "xnuscope [global options] ", e.g. "maps --pid N".
  virtual std::string usage() const { return name(); }
  // Command-specific options; they may appear anywhere on the command line.
  virtual void addOptions(boost::program_options::options_description& options) const {
    (void)options;
  }
  // Extra positional arguments (e.g. "profile show NAME"). Empty: none accepted.
  virtual std::string positionalName() const { return {}; }
  // Runs the command; returns the process exit code. Throws InputError (exit 2) or
  // AnalysisError (exit 1) with a message for the user.
  virtual int run(Session& session, const boost::program_options::variables_map& vm) = 0;
};

class CommandRegistry {
 public:
  static CommandRegistry& instance();
  void add(std::unique_ptr<Command> command);
  Command* find(const std::string& name) const;
  const std::vector<std::unique_ptr<Command>>& all() const { return commands_; }

 private:
  std::vector<std::unique_ptr<Command>> commands_;
};

template <typename T>
struct CommandRegistration {
  CommandRegistration() { CommandRegistry::instance().add(std::make_unique<T>()); }
};

}  // namespace xnuscope::cli

#define XNUSCOPE_REGISTER_COMMAND(Type) \
  static const ::xnuscope::cli::CommandRegistration<Type> registration_##Type
