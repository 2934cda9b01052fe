// `xnuscope watch`: process start/exit events of a running guest as they happen.
// Polls allproc at --rate Hz (default 10) through a StableProcessReader, so a list
// the guest is changing under us yields no event rather than a phantom one. Prints
// one line per event: a table row, or one JSON object per line (--format json), so
// `watch | jq` works while it runs. With --freeze the guest is stopped only for the
// duration of each poll.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <thread>

#include "cli/Command.h"
#include "cli/Rows.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "engine/GuestPause.h"

namespace xnuscope::cli {
namespace {

std::atomic<bool> stopRequested{false};

void requestStop(int) { stopRequested = true; }

// SIGINT/SIGTERM end the watch after the current poll, so the last line is whole.
class StopSignals {
 public:
  StopSignals() {
    stopRequested = false;
    struct sigaction action {};
    action.sa_handler = requestStop;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &oldInt_);
    ::sigaction(SIGTERM, &action, &oldTerm_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &oldInt_, nullptr);
    ::sigaction(SIGTERM, &oldTerm_, nullptr);
  }

 private:
  struct sigaction oldInt_ {};
  struct sigaction oldTerm_ {};
};

std::string nowUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  std::ostringstream text;
  text << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0')
       << millis << 'Z';
  return text.str();
}

class WatchCommand : public Command {
 public:
  std::string name() const override { return "watch"; }
  std::string summary() const override {
    return "live: process start/exit events as they happen (allproc polled at --rate Hz)";
  }
  std::string usage() const override {
    return "watch [--rate HZ] [--duration SECONDS] [--initial]";
  }
  void addOptions(boost::program_options::options_description& options) const override {
    namespace po = boost::program_options;
    options.add_options()("rate", po::value<double>()->default_value(10.0),
                          "polls per second (0.1 to 1000)")(
        "duration", po::value<double>()->default_value(0.0),
        "stop after this many seconds (0: until Ctrl-C)")(
        "initial", po::bool_switch(), "also print the processes present when the watch begins");
  }

  int run(Session& session, const boost::program_options::variables_map& vm) override {
    const double rate = vm["rate"].as<double>();
    const double duration = vm["duration"].as<double>();
    if (!(rate >= 0.1 && rate <= 1000.0)) {
      throw InputError("--rate must be between 0.1 and 1000 polls per second");
    }
    if (duration < 0) throw InputError("--duration must be >= 0 seconds (0: until Ctrl-C)");
    const bool json = session.options().format == OutputFormat::Json;
    const bool csv = session.options().format == OutputFormat::Csv;

    engine::Target& target = session.target();
    const std::unique_ptr<engine::ProcessWatch> watcher = target.watchProcesses();
    // --freeze: the Target stopped the guest for the whole command; a watch that never
    // lets the guest run would see nothing happen, so freeze per poll instead.
    const bool freezePerPoll = target.liveMemory() != nullptr && session.options().freeze;
    target.holdFrozen(false);

    StopSignals signals;
    const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(duration));
    auto next = start;
    bool headerDone = false;
    std::string lastWarning;
    std::uint64_t polls = 0, events = 0, raced = 0;

    auto printEvent = [&](const std::string& kind, const engine::Process& process) {
      ++events;
      if (json) {
        nlohmann::ordered_json line;
        line["time"] = nowUtc();
        line["event"] = kind;
        const auto row = processRow(process);
        for (const auto& [key, value] : row.items()) line[key] = value;
        // Process names are guest bytes: bad UTF-8 becomes U+FFFD (JSON must be UTF-8).
        session.out() << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                      << '\n';
      } else {
        if (!headerDone) {
          session.out()
              << (csv ? "time,event,pid,ppid,name,address\n"
                      : "TIME                      EVENT  PID     PPID    NAME            "
                        "  ADDRESS\n");
          headerDone = true;
        }
        if (csv) {
          session.out() << nowUtc() << ',' << kind << ',' << process.pid << ',' << process.ppid
                        << ',' << process.name << ',' << hex(process.address.value_or(0)) << '\n';
        } else {
          session.out() << std::left << std::setw(26) << nowUtc() << std::setw(7) << kind
                        << std::setw(8) << process.pid << std::setw(8) << process.ppid
                        << std::setw(18) << process.name << hex(process.address.value_or(0))
                        << '\n';
        }
      }
    };

    while (!stopRequested) {
      engine::ProcessWatchPoll poll;
      {
        std::optional<engine::GuestPause> pause;
        if (freezePerPoll) pause.emplace(target);
        const bool wasPrimed = watcher->primed();
        poll = watcher->poll();
        if (!wasPrimed && watcher->primed() && vm["initial"].as<bool>()) {
          for (const auto& process : watcher->alive()) printEvent("present", process);
        }
      }
      ++polls;
      if (!poll.consistent) ++raced;
      for (const auto& event : poll.events) {
        printEvent(event.kind, event.process);
      }
      // Repeated warnings (e.g. the same smeared list every poll) are said once.
      for (const auto& warning : poll.warnings) {
        if (warning == lastWarning) continue;
        lastWarning = warning;
        if (json) {
          session.out() << nlohmann::ordered_json{{"time", nowUtc()},
                                                  {"event", "warning"},
                                                  {"message", warning}}
                               .dump(-1, ' ', false,
                                     nlohmann::ordered_json::error_handler_t::replace)
                        << '\n';
        } else {
          session.warn(warning);
        }
      }
      session.out().flush();
      if (duration > 0 && std::chrono::steady_clock::now() >= end) break;
      next += period;
      const auto now = std::chrono::steady_clock::now();
      if (next < now) next = now;  // a slow poll delays the next, it does not pile up
      std::this_thread::sleep_until(next);
    }
    if (json) {
      session.out() << nlohmann::ordered_json{{"time", nowUtc()},
                                              {"event", "summary"},
                                              {"polls", polls},
                                              {"events", events},
                                              {"raced_polls", raced},
                                              {"alive", watcher->alive().size()}}
                           .dump()
                    << '\n';
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(WatchCommand);

}  // namespace
}  // namespace xnuscope::cli
