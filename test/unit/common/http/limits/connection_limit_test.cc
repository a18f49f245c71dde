// Connections beyond max_connections: probes are still answered at once,
// anything else gets 503 and the connection closes, and the server takes
// ordinary requests again once connections are given back.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/http/server.h"

namespace vitals::http {
namespace {

using ::testing::HasSubstr;

constexpr int kMaxConnections = 20;

// A connected TCP socket that never sends anything: an idle client.
class IdleConnection {
 public:
  explicit IdleConnection(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~IdleConnection() { close(fd_); }
  IdleConnection(const IdleConnection&) = delete;
  IdleConnection& operator=(const IdleConnection&) = delete;
  bool connected() const { return connected_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  bool connected_ = false;
};

class ConnectionLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.address = "127.0.0.1";
    options.max_connections = kMaxConnections;
    server_ = std::make_unique<Server>(options);
    server_->Route("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); });
    server_->Route("POST", "/write", [](const Request&) { return Response::Text(204, ""); });
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok()); }

  absl::StatusOr<ClientResponse> Send(std::string_view method, std::string_view path) {
    HttpClient client("127.0.0.1", server_->port(), absl::Seconds(5));
    return client.Send(method, path, method == "POST" ? "x" : "");
  }

  std::unique_ptr<Server> server_;
};

TEST_F(ConnectionLimitTest, ProbesAnswerBeyondTheLimitAndWritesWaitForRoom) {
  std::vector<std::unique_ptr<IdleConnection>> idle;
  for (int i = 0; i < 3 * kMaxConnections; ++i) {
    idle.push_back(std::make_unique<IdleConnection>(server_->port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  // Let the server accept them all (the first kMaxConnections are
  // ordinary, idle sessions; the rest are over the limit).
  absl::SleepFor(absl::Milliseconds(200));

  const absl::Time before = absl::Now();
  absl::StatusOr<ClientResponse> probe = Send("GET", "/healthz");
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(probe->status, 200);
  EXPECT_LT(absl::Now() - before, absl::Seconds(1));

  absl::StatusOr<ClientResponse> write = Send("POST", "/write");
  ASSERT_TRUE(write.ok()) << write.status();
  EXPECT_EQ(write->status, 503);
  EXPECT_THAT(write->body, HasSubstr("too many connections (20)"));

  // The idle clients go away: ordinary requests are served again.
  idle.clear();
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  int status = 0;
  while (status != 204 && absl::Now() < give_up) {
    absl::StatusOr<ClientResponse> again = Send("POST", "/write");
    if (again.ok()) status = again->status;
    if (status != 204) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(status, 204);
}

TEST_F(ConnectionLimitTest, ConnectionsOverTheLimitThatSayNothingCloseWithinASecond) {
  std::vector<std::unique_ptr<IdleConnection>> idle;
  for (int i = 0; i < kMaxConnections; ++i) {
    idle.push_back(std::make_unique<IdleConnection>(server_->port()));
  }
  absl::SleepFor(absl::Milliseconds(100));
  // One more, silent: the server closes it after a second (read sees EOF).
  IdleConnection silent(server_->port());
  ASSERT_TRUE(silent.connected());
  timeval wait{.tv_sec = 5, .tv_usec = 0};
  setsockopt(silent.fd(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  const absl::Time before = absl::Now();
  char byte;
  EXPECT_EQ(read(silent.fd(), &byte, 1), 0) << "the server did not close the connection";
  EXPECT_LT(absl::Now() - before, absl::Seconds(3));
}

}  // namespace
}  // namespace vitals::http
