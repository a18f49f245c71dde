#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/http/client.h"
#include "common/http/server.h"
#include "common/http/url.h"

namespace vitals::http {
namespace {

using ::testing::HasSubstr;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = 1024;
    options.read_timeout = absl::Milliseconds(500);
    server_ = std::make_unique<Server>(options);
    server_->Route("GET", "/hello", [](const Request& r) {
      return Response::Text(200, "hello " + r.QueryParam("name"));
    });
    server_->Route("PUT", "/echo/", [this](const Request& r) {
      ++echo_calls_;
      Response resp = Response::Text(201, std::string(r.path()) + "|" + std::string(r.body()));
      resp.headers.emplace_back("X-Seen-Type", std::string(r.Header("content-type")));
      return resp;
    });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  std::unique_ptr<Server> server_;
  std::atomic<int> echo_calls_{0};
};

TEST_F(HttpServerTest, RoutesByMethodAndPathAndDecodesQuery) {
  HttpClient client("127.0.0.1", server_->port());
  auto r = client.Send("GET", "/hello?name=flink%20job");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello flink job\n");

  auto put = client.Send("PUT", "/echo/a/b", "body", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(put->body, "/echo/a/b|body\n");
  EXPECT_EQ(put->Header("x-seen-type"), "text/plain");

  auto wrong_method = client.Send("POST", "/hello");
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
  auto missing = client.Send("GET", "/nowhere");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient client("127.0.0.1", server_->port());
  for (int i = 0; i < 50; ++i) {
    auto r = client.Send("PUT", "/echo/" + std::to_string(i), "x");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 201);
  }
  EXPECT_EQ(echo_calls_.load(), 50);
}

TEST_F(HttpServerTest, OversizedBodyGets413AndDoesNotReachTheHandler) {
  HttpClient client("127.0.0.1", server_->port());
  auto r = client.Send("PUT", "/echo/big", std::string(4096, 'x'));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(echo_calls_.load(), 0);
  // The server is still fine for the next client.
  HttpClient next("127.0.0.1", server_->port());
  auto ok = next.Send("GET", "/hello?name=x");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, ConcurrentClientsAreAllServed) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      HttpClient client("127.0.0.1", server_->port());
      for (int i = 0; i < 20; ++i) {
        auto r = client.Send("PUT", "/echo/x", "y");
        if (r.ok() && r->status == 201) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST_F(HttpServerTest, ShutdownIsIdempotentAndRefusesNewConnections) {
  const uint16_t port = server_->port();
  EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());
  auto r =
      Fetch("GET", "http://127.0.0.1:" + std::to_string(port) + "/hello", {}, {}, absl::Seconds(1));
  EXPECT_FALSE(r.ok());
}

TEST(HttpServerStandaloneTest, ShutdownWithoutStartIsSafe) {
  Server server(ServerOptions{});
  EXPECT_TRUE(server.Shutdown(absl::InfiniteFuture()).ok());
}

TEST(HttpServerStandaloneTest, BindFailureIsUnavailable) {
  ServerOptions options;
  options.address = "127.0.0.1";
  Server first(options);
  ASSERT_TRUE(first.Start().ok());
  options.port = first.port();
  Server second(options);
  absl::Status s = second.Start();
  // SO_REUSEADDR does not allow two listeners on one port.
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
}

TEST(UrlTest, ParsesHostPortAndTarget) {
  auto url = ParseUrl("http://127.0.0.1:9091/metrics/job/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 9091);
  EXPECT_EQ(url->target, "/metrics/job/x");
  EXPECT_EQ(ParseUrl("http://localhost")->port, 80);
  EXPECT_FALSE(ParseUrl("http://localhost")->tls);
  auto https = ParseUrl("https://scorer.example:8443/api");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, 8443);
  EXPECT_EQ(ParseUrl("https://x")->port, 443);
  EXPECT_FALSE(ParseUrl("ftp://x").ok());
  EXPECT_FALSE(ParseUrl("http://x:99999/").ok());
}

TEST(UrlTest, PercentCoding) {
  EXPECT_EQ(PercentDecode("a%2Fb+c"), "a/b c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("bad%zz%4"), "bad%zz%4");
  EXPECT_EQ(PercentEncode("a/b c"), "a%2Fb%20c");
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseHostPort(":9091", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9091);
  EXPECT_FALSE(ParseHostPort("9091", &host, &port).ok());
}

}  // namespace
}  // namespace vitals::http
