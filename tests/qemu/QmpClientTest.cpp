// QmpClient against a scripted QMP peer on a unix socket (no QEMU needed): the
// protocol steps, QEMU-style errors, events, timeouts and the connection errors.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/Error.h"
#include "qemu/QmpClient.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

// One connection's worth of scripted peer, on its own thread.
class FakeQmpPeer {
 public:
  explicit FakeQmpPeer(std::function<void(FakeQmpPeer&)> script) {
    static int counter = 0;
    path_ = test::scratchDir() + "/qmp" + std::to_string(counter++) + ".sock";
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    ::unlink(path_.c_str());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 4) != 0) {
      throw std::runtime_error("cannot listen on " + path_);
    }
    thread_ = std::thread([this, script = std::move(script)] {
      connection_ = ::accept(listener_, nullptr, nullptr);
      if (connection_ >= 0) script(*this);
    });
  }
  ~FakeQmpPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    if (connection_ >= 0) ::close(connection_);
    ::close(listener_);
  }
  const std::string& path() const { return path_; }

  void sendRaw(const std::string& text) { (void)::write(connection_, text.data(), text.size()); }
  void send(const json& message) { sendRaw(message.dump() + "\r\n"); }
  json receive() {
    std::string line;
    char c;
    while (::read(connection_, &c, 1) == 1 && c != '\n') line += c;
    return line.empty() ? json() : json::parse(line);
  }
  void greetAndNegotiate() {
    send({{"QMP",
           {{"version", {{"qemu", {{"major", 7}, {"minor", 2}, {"micro", 0}}}}},
            {"capabilities", json::array({"oob"})}}}});
    const json request = receive();
    EXPECT_EQ(request["execute"], "qmp_capabilities");
    send({{"return", json::object()}, {"id", request["id"]}});
  }
  void closeConnection() {
    ::close(connection_);
    connection_ = -1;
  }

 private:
  std::string path_;
  int listener_ = -1;
  int connection_ = -1;
  std::thread thread_;
};

std::string connectError(const std::string& endpoint, std::chrono::milliseconds timeout = 300ms) {
  try {
    QmpClient client(endpoint, timeout);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(QmpClient, NegotiatesExecutesAndQueuesEvents) {
  FakeQmpPeer peer([](FakeQmpPeer& p) {
    p.greetAndNegotiate();
    json request = p.receive();
    EXPECT_EQ(request["execute"], "query-status");
    // An event arrives before the reply; the reply carries our id back.
    p.send({{"event", "STOP"}, {"timestamp", {{"seconds", 1}, {"microseconds", 2}}}});
    p.send({{"return", {{"status", "paused"}, {"running", false}}}, {"id", request["id"]}});
    request = p.receive();
    EXPECT_EQ(request["execute"], "human-monitor-command");
    EXPECT_EQ(request["arguments"]["command-line"], "info registers");
    p.send({{"return", "CR3=0000000000345000\r\n"}, {"id", request["id"]}});
    request = p.receive();
    p.send(
        {{"error", {{"class", "CommandNotFound"}, {"desc", "The command nope has not been found"}}},
         {"id", request["id"]}});
    p.send({{"event", "RESUME"}});
    p.receive();  // waits for the client to hang up
  });
  QmpClient client(peer.path());
  EXPECT_EQ(client.version()["qemu"]["major"], 7);
  const json status = client.execute("query-status");
  EXPECT_EQ(status["status"], "paused");
  EXPECT_EQ(client.humanMonitorCommand("info registers"), "CR3=0000000000345000\r\n");
  try {
    client.execute("nope");
    ADD_FAILURE() << "no error thrown";
  } catch (const QmpCommandError& e) {
    EXPECT_EQ(e.errorClass(), "CommandNotFound");
    EXPECT_NE(std::string(e.what()).find("has not been found"), std::string::npos);
  }
  EXPECT_EQ(client.waitForEvent("RESUME", 2s)["event"], "RESUME");
  const auto events = client.pollEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "STOP");
  EXPECT_TRUE(client.pollEvents().empty());
}

TEST(QmpClient, MissingSocketSaysHowToStartQemu) {
  const std::string path = test::scratchDir() + "/no-such.sock";
  const std::string message = connectError(path);
  EXPECT_NE(message.find("no QEMU QMP socket at " + path), std::string::npos) << message;
  EXPECT_NE(message.find("-qmp unix:" + path + ",server=on,wait=off"), std::string::npos);
  EXPECT_NE(connectError("unix:" + path).find("no QEMU QMP socket"), std::string::npos);
}

TEST(QmpClient, SilentPeerTimesOutNamingTheGreeting) {
  FakeQmpPeer peer([](FakeQmpPeer& p) { p.receive(); });
  const auto started = std::chrono::steady_clock::now();
  const std::string message = connectError(peer.path(), 200ms);
  EXPECT_NE(message.find("greeting"), std::string::npos) << message;
  EXPECT_NE(message.find("200 ms"), std::string::npos) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // bounded, not a hang
}

TEST(QmpClient, CommandTimeoutAndClosedConnection) {
  FakeQmpPeer peer([](FakeQmpPeer& p) {
    p.greetAndNegotiate();
    p.receive();  // "slow": never answered
    p.receive();
    p.closeConnection();
  });
  QmpClient client(peer.path(), 300ms);
  try {
    client.execute("slow");
    ADD_FAILURE() << "no timeout";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer 'slow'"), std::string::npos) << e.what();
  }
  try {
    client.execute("after-close");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("closed the QMP connection"), std::string::npos)
        << e.what();
  }
}

TEST(QmpClient, PeerThatIsNotQmp) {
  FakeQmpPeer hmp([](FakeQmpPeer& p) { p.sendRaw("QEMU 7.2.0 monitor - type 'help'\r\n(qemu) "); });
  EXPECT_NE(connectError(hmp.path()).find("not JSON"), std::string::npos);
  FakeQmpPeer other([](FakeQmpPeer& p) { p.send({{"hello", "world"}}); });
  EXPECT_NE(connectError(other.path()).find("is not QEMU QMP"), std::string::npos);
}

TEST(QmpClient, TcpEndpoints) {
  // A port nothing listens on: bind one, learn its number, close it.
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  ::close(probe);
  const std::string endpoint = "tcp:127.0.0.1:" + std::to_string(port);
  const std::string message = connectError(endpoint);
  EXPECT_NE(message.find("cannot connect to QEMU QMP at " + endpoint), std::string::npos)
      << message;
  EXPECT_NE(connectError("tcp:localhost").find("no port"), std::string::npos);
}

}  // namespace
}  // namespace xnuscope
