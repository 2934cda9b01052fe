#include "qemu/QmpClient.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xnuscope {
namespace {

// A reply bigger than this is not QMP talking (info mtree of a large machine is
// well under a megabyte).
constexpr std::size_t kMaxBufferedBytes = 64u << 20;

std::string seconds(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

QmpCommandError::QmpCommandError(const std::string& command, std::string errorClass,
                                 std::string description)
    : AnalysisError("QEMU refused QMP command '" + command + "': " + errorClass + ": " +
                    description),
      errorClass_(std::move(errorClass)),
      description_(std::move(description)) {}

QmpClient::QmpClient(const std::string& endpoint, std::chrono::milliseconds timeout)
    : endpoint_(endpoint), timeout_(timeout) {
  connectTo(endpoint);
  const auto deadline = Clock::now() + timeout_;
  std::optional<nlohmann::json> received;
  try {
    received = receive(deadline, "the QMP greeting");
  } catch (const InputError&) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  if (!received) {
    ::close(fd_);
    fd_ = -1;
    throw InputError("QEMU QMP at " + endpoint_ + " sent no greeting within " + seconds(timeout_) +
                     " (QEMU serves one QMP client per socket: is another client connected?)");
  }
  const nlohmann::json greeting = std::move(*received);
  if (!greeting.is_object() || !greeting.contains("QMP")) {
    ::close(fd_);
    fd_ = -1;
    throw InputError(
        "the peer at " + endpoint_ + " is not QEMU QMP (its first message was " +
        greeting.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 120) +
        ")");
  }
  // QEMU's greeting, checked member by member: a peer may send any JSON.
  const auto& qmp = greeting["QMP"];
  version_ = qmp.is_object() && qmp.contains("version") && qmp["version"].is_object()
                 ? qmp["version"]
                 : nlohmann::json::object();
  try {
    execute("qmp_capabilities");
  } catch (...) {
    ::close(fd_);  // the destructor does not run for a constructor that throws
    fd_ = -1;
    throw;
  }
}

QmpClient::~QmpClient() {
  if (fd_ >= 0) ::close(fd_);
}

void QmpClient::connectTo(const std::string& endpoint) {
  std::string unixPath = endpoint;
  if (endpoint.rfind("unix:", 0) == 0) unixPath = endpoint.substr(5);
  if (endpoint.rfind("tcp:", 0) == 0) {
    const std::string hostPort = endpoint.substr(4);
    const auto colon = hostPort.rfind(':');
    if (colon == std::string::npos || colon + 1 == hostPort.size()) {
      throw InputError("QMP endpoint " + endpoint + " has no port; write tcp:HOST:PORT");
    }
    std::string host = hostPort.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);  // [::1]
    }
    const std::string port = hostPort.substr(colon + 1);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
      throw InputError("cannot resolve QMP host in " + endpoint + ": " + ::gai_strerror(rc));
    }
    std::string lastError = "no address";
    for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
      const int fd =
          ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                   address->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, address->ai_addr, address->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd waiter{fd, POLLOUT, 0};
        rc = ::poll(&waiter, 1, static_cast<int>(timeout_.count()));
        if (rc == 0) {
          errno = ETIMEDOUT;
          rc = -1;
        } else if (rc > 0) {
          int error = 0;
          socklen_t length = sizeof error;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
          errno = error;
          rc = error == 0 ? 0 : -1;
        }
      }
      if (rc == 0) {
        fd_ = fd;
        break;
      }
      lastError = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) {
      throw InputError("cannot connect to QEMU QMP at " + endpoint + ": " + lastError +
                       " (is QEMU running with -qmp " + endpoint + ",server=on,wait=off?)");
    }
    return;
  }

  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (unixPath.empty() || unixPath.size() >= sizeof address.sun_path) {
    throw InputError("QMP socket path '" + unixPath + "' is empty or longer than " +
                     std::to_string(sizeof address.sun_path - 1) + " bytes; use a shorter path");
  }
  std::memcpy(address.sun_path, unixPath.c_str(), unixPath.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0)
    throw InputError(std::string("cannot create a unix socket: ") + std::strerror(errno));
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == ENOENT || error == ECONNREFUSED || error == ENOTSOCK) {
      throw InputError("no QEMU QMP socket at " + unixPath + " (" + std::strerror(error) +
                       "; is QEMU running with -qmp unix:" + unixPath + ",server=on,wait=off?)");
    }
    throw InputError("cannot connect to QEMU QMP socket " + unixPath + ": " + std::strerror(error));
  }
}

void QmpClient::send(const nlohmann::json& message) {
  const std::string line = message.dump() + "\r\n";
  std::size_t sent = 0;
  const auto deadline = Clock::now() + timeout_;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd waiter{fd_, POLLOUT, 0};
      if (left > 0 && ::poll(&waiter, 1, static_cast<int>(left)) > 0) continue;
      throw InputError("QEMU QMP at " + endpoint_ + " did not accept a command within " +
                       seconds(timeout_));
    }
    throw InputError("lost the QMP connection to " + endpoint_ + ": " + std::strerror(errno) +
                     " (did QEMU exit?)");
  }
}

bool QmpClient::fill(Clock::time_point deadline, const std::string& waitingFor) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd waiter{fd_, POLLIN, 0};
    const int ready = ::poll(&waiter, 1, static_cast<int>(std::max<long long>(left, 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) {
      throw InputError("QEMU closed the QMP connection at " + endpoint_ + " while waiting for " +
                       waitingFor + " (did QEMU exit?)");
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    if (buffer_.size() > kMaxBufferedBytes) {
      throw InputError("QMP peer at " + endpoint_ +
                       " sent more than 64 MiB without a line end; "
                       "it is not QEMU QMP");
    }
    return true;
  }
}

std::optional<nlohmann::json> QmpClient::takeBufferedMessage() {
  for (;;) {
    const auto end = buffer_.find('\n');
    if (end == std::string::npos) return std::nullopt;
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    try {
      return nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      // parse_error, and out_of_range for a number no double holds (6e200000001).
      throw InputError("the peer at " + endpoint_ + " sent a line that is not JSON (" +
                       line.substr(0, 80) + "); is it a QMP socket, not an HMP monitor?");
    }
  }
}

std::optional<nlohmann::json> QmpClient::receive(Clock::time_point deadline,
                                                 const std::string& waitingFor) {
  for (;;) {
    if (auto message = takeBufferedMessage()) return message;
    if (!fill(deadline, waitingFor)) return std::nullopt;
  }
}

nlohmann::json QmpClient::execute(const std::string& command, const nlohmann::json& arguments) {
  return execute(command, arguments, timeout_);
}

nlohmann::json QmpClient::execute(const std::string& command, const nlohmann::json& arguments,
                                  std::chrono::milliseconds timeout) {
  if (fd_ < 0) throw InputError("the QMP connection to " + endpoint_ + " is closed");
  const std::uint64_t id = nextId_++;
  nlohmann::json message{{"execute", command}, {"id", id}};
  if (!arguments.is_null() && !arguments.empty()) message["arguments"] = arguments;
  send(message);
  const auto deadline = Clock::now() + timeout;
  const std::string waitingFor = "reply to '" + command + "'";
  for (;;) {
    auto received = receive(deadline, waitingFor);
    if (!received) {
      throw InputError("QEMU QMP at " + endpoint_ + " did not answer '" + command + "' within " +
                       seconds(timeout) +
                       " (is the VM hung, or the command slow? raise the timeout)");
    }
    nlohmann::json reply = std::move(*received);
    if (!reply.is_object()) continue;
    if (reply.contains("event")) {
      events_.push_back(std::move(reply));
      continue;
    }
    // Replies carry our id back; one without an id is QEMU failing to parse ours.
    if (reply.contains("id") && reply["id"] != id) continue;
    if (reply.contains("error")) {
      const auto& error = reply["error"];
      const auto text = [&](const char* key, const char* fallback) {
        return error.is_object() && error.contains(key) && error[key].is_string()
                   ? error[key].get<std::string>()
                   : std::string(fallback);
      };
      throw QmpCommandError(command, text("class", "GenericError"),
                            text("desc", "(no description)"));
    }
    if (reply.contains("return")) return reply["return"];
  }
}

std::string QmpClient::humanMonitorCommand(const std::string& commandLine) {
  const auto result = execute("human-monitor-command", {{"command-line", commandLine}});
  if (!result.is_string()) {
    throw InputError("QEMU QMP at " + endpoint_ + " returned a non-text reply to HMP '" +
                     commandLine + "'");
  }
  return result.get<std::string>();
}

std::deque<nlohmann::json> QmpClient::pollEvents() {
  if (fd_ >= 0) {
    // Drain what is already on the socket without waiting.
    while (fill(Clock::now(), "events")) {
    }
    while (auto message = takeBufferedMessage()) {
      if (message->is_object() && message->contains("event"))
        events_.push_back(std::move(*message));
    }
  }
  return std::exchange(events_, {});
}

nlohmann::json QmpClient::waitForEvent(const std::string& name, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = events_.begin(); it != events_.end(); ++it) {
      if (it->is_object() && it->contains("event") && (*it)["event"] == name) {
        nlohmann::json event = std::move(*it);
        events_.erase(it);
        return event;
      }
    }
    if (auto message = takeBufferedMessage()) {
      if (message->is_object() && message->contains("event"))
        events_.push_back(std::move(*message));
      continue;
    }
    if (!fill(deadline, "event " + name)) {
      throw InputError("QEMU QMP at " + endpoint_ + " sent no " + name + " event within " +
                       seconds(timeout));
    }
  }
}

}  // namespace xnuscope
