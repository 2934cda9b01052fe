// A client for QEMU's machine protocol (QMP): JSON lines over a unix socket or TCP.
// Used by the live source for CPU registers (CR3), the guest RAM layout, and
// stop/cont; by tests to take real dump-guest-memory cores.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/Error.h"

namespace xnuscope {

// QEMU answered a command with {"error": {"class": ..., "desc": ...}}.
class QmpCommandError : public AnalysisError {
 public:
  QmpCommandError(const std::string& command, std::string errorClass, std::string description);
  const std::string& errorClass() const { return errorClass_; }
  const std::string& description() const { return description_; }

 private:
  std::string errorClass_;
  std::string description_;
};

class QmpClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};

  // `endpoint` is a unix socket path (optionally "unix:PATH") or "tcp:HOST:PORT".
  // Connects, reads QEMU's greeting and negotiates capabilities (qmp_capabilities).
  // Throws InputError when nothing listens there, the peer is not QMP, or it does
  // not greet within `timeout` (QEMU serves one client per QMP socket at a time).
  explicit QmpClient(const std::string& endpoint,
                     std::chrono::milliseconds timeout = kDefaultTimeout);
  ~QmpClient();
  QmpClient(const QmpClient&) = delete;
  QmpClient& operator=(const QmpClient&) = delete;

  // Runs `command` and returns its "return" value. Throws QmpCommandError with
  // QEMU's error class and description, InputError on timeout or a lost connection.
  // Events arriving meanwhile are queued for pollEvents().
  nlohmann::json execute(const std::string& command,
                         const nlohmann::json& arguments = nlohmann::json::object());
  // The same with its own timeout, for slow commands (dump-guest-memory of a big guest).
  nlohmann::json execute(const std::string& command, const nlohmann::json& arguments,
                         std::chrono::milliseconds timeout);

  // HMP command through QMP ("info registers -a", "info mtree -f"); its text output.
  std::string humanMonitorCommand(const std::string& commandLine);

  // Events received so far (and any already waiting on the socket), oldest first;
  // the queue is emptied.
  std::deque<nlohmann::json> pollEvents();

  // Waits up to `timeout` for an event named `name` (e.g. "STOP"), returning it;
  // other events stay queued. Throws InputError on timeout.
  nlohmann::json waitForEvent(const std::string& name, std::chrono::milliseconds timeout);

  // {"qemu": {"major": 7, ...}, "package": ...} from the greeting.
  const nlohmann::json& version() const { return version_; }
  const std::string& endpoint() const { return endpoint_; }
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  using Clock = std::chrono::steady_clock;

  void connectTo(const std::string& endpoint);
  void send(const nlohmann::json& message);
  // Next JSON message; nullopt if none arrives before `deadline`. Throws InputError
  // when the connection is lost or the peer sends something that is not JSON.
  std::optional<nlohmann::json> receive(Clock::time_point deadline, const std::string& waitingFor);
  // Appends whatever the socket has; false when nothing arrived before `deadline`.
  bool fill(Clock::time_point deadline, const std::string& waitingFor);
  std::optional<nlohmann::json> takeBufferedMessage();

  std::string endpoint_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buffer_;
  std::deque<nlohmann::json> events_;
  nlohmann::json version_;
  std::uint64_t nextId_ = 1;
};

}  // namespace xnuscope
