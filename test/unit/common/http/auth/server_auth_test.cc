// The server with a web config: writes without a valid user get 401 with
// `WWW-Authenticate: Basic` and never reach their handler; reads need a
// user unless http.reads_need_user is off; probes never do. Over TLS with
// a self-signed certificate, curl is the client, as an operator's would be.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/http/client.h"
#include "common/http/server.h"
#include "common/http/web_config.h"
#include "test/unit/common/http/auth/test_credentials.h"

namespace vitals::http {
namespace {

using testing::CommandResult;
using ::testing::HasSubstr;
using testing::RunCommand;
using testing::ScratchDir;

constexpr char kUser[] = "flink";
constexpr char kPassword[] = "push-secret";

std::vector<std::pair<std::string, std::string>> Credentials(const std::string& password) {
  return {{"Authorization", "Basic " + absl::Base64Escape(absl::StrCat(kUser, ":", password))}};
}

class ServerAuthTest : public ::testing::Test {
 protected:
  // A server whose PUT /metrics/ counts the pushes that reached it.
  void Start(bool tls, bool reads_need_user = true) {
    auto web = std::make_shared<WebConfig>();
    web->basic_auth_users[kUser] = testing::BcryptHash(kPassword);
    web->headers["X-Content-Type-Options"] = "nosniff";
    if (tls) {
      ASSERT_TRUE(testing::MakeSelfSignedCertificate(dir_));
      web->tls.cert_file = dir_.path() + "/cert.pem";
      web->tls.key_file = dir_.path() + "/key.pem";
    }
    ServerOptions options;
    options.address = "127.0.0.1";
    options.web = web;
    options.reads_need_user = reads_need_user;
    server_ = std::make_unique<Server>(options);
    server_->Route("PUT", "/metrics/", [this](const Request&) {
      ++pushes_;
      return Response::Text(200, "stored");
    });
    server_->Route("GET", "/metrics", [](const Request&) { return Response::Text(200, "up 1"); });
    server_->Route("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); });
    const absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());
    }
  }

  // curl's HTTP status for a request to the TLS server (000 when the
  // connection failed), and its exit code.
  CommandResult Curl(const std::string& args, const std::string& path = "/metrics") {
    return RunCommand(absl::StrCat(VITALS_CURL, " -s -o /dev/null -w '%{http_code}' -m 10 ", args,
                                   " https://127.0.0.1:", server_->port(), path));
  }

  ScratchDir dir_;
  std::unique_ptr<Server> server_;
  std::atomic<int> pushes_{0};
};

TEST_F(ServerAuthTest, WritesWithoutAValidUserGet401AndChangeNothing) {
  Start(/*tls=*/false);
  HttpClient client("127.0.0.1", server_->port());
  for (const auto& headers : {Credentials("wrong"), {}}) {
    absl::StatusOr<ClientResponse> r = client.Send("PUT", "/metrics/job/j", "up 1\n", headers);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->Header("WWW-Authenticate"), "Basic realm=\"vitals\", charset=\"UTF-8\"");
    EXPECT_EQ(r->Header("X-Content-Type-Options"), "nosniff");
  }
  EXPECT_EQ(pushes_.load(), 0);
  absl::StatusOr<ClientResponse> r =
      client.Send("PUT", "/metrics/job/j", "up 1\n", Credentials(kPassword));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(pushes_.load(), 1);
}

TEST_F(ServerAuthTest, InfluxStyleQueryCredentialsCount) {
  Start(/*tls=*/false);
  HttpClient client("127.0.0.1", server_->port());
  EXPECT_EQ(client.Send("PUT", absl::StrCat("/metrics/job/j?u=", kUser, "&p=wrong"))->status, 401);
  EXPECT_EQ(client.Send("PUT", absl::StrCat("/metrics/job/j?u=nobody&p=", kPassword))->status, 401);
  EXPECT_EQ(pushes_.load(), 0);
  EXPECT_EQ(client.Send("PUT", absl::StrCat("/metrics/job/j?u=", kUser, "&p=", kPassword))->status,
            200);
  EXPECT_EQ(pushes_.load(), 1);
}

TEST_F(ServerAuthTest, ReadsNeedAUserByDefaultProbesNever) {
  Start(/*tls=*/false);
  HttpClient client("127.0.0.1", server_->port());
  EXPECT_EQ(client.Send("GET", "/metrics")->status, 401);
  // Nothing about which paths exist leaks without a user.
  EXPECT_EQ(client.Send("GET", "/no/such/path")->status, 401);
  EXPECT_EQ(client.Send("GET", "/metrics", {}, Credentials(kPassword))->status, 200);
  EXPECT_EQ(client.Send("GET", "/healthz")->status, 200);
}

TEST_F(ServerAuthTest, ReadsCanBeLeftOpenWritesStayClosed) {
  Start(/*tls=*/false, /*reads_need_user=*/false);
  HttpClient client("127.0.0.1", server_->port());
  EXPECT_EQ(client.Send("GET", "/metrics")->status, 200);
  EXPECT_EQ(client.Send("PUT", "/metrics/job/j", "up 1\n")->status, 401);
  EXPECT_EQ(pushes_.load(), 0);
}

TEST_F(ServerAuthTest, CurlOverTlsWithASelfSignedCertificate) {
  Start(/*tls=*/true);
  const std::string ca = absl::StrCat("--cacert ", dir_.path(), "/cert.pem");
  const std::string user = absl::StrCat("-u ", kUser, ":", kPassword);
  EXPECT_EQ(Curl(ca + " " + user).out, "200");
  EXPECT_EQ(Curl(ca).out, "401");
  EXPECT_EQ(Curl(ca + " -u flink:wrong").out, "401");
  EXPECT_EQ(Curl(ca, "/healthz").out, "200");
  // A push as Flink's reporter sends it (PUT, text format 0.0.4), with and
  // without its user.
  const std::string push =
      " -X PUT -H 'Content-Type: text/plain; version=0.0.4; charset=utf-8'"
      " --data-binary 'flink_jobmanager_numRunningJobs 1\n'";
  EXPECT_EQ(Curl(ca + push, "/metrics/job/flink").out, "401");
  EXPECT_EQ(pushes_.load(), 0);
  EXPECT_EQ(Curl(ca + " " + user + push, "/metrics/job/flink").out, "200");
  EXPECT_EQ(pushes_.load(), 1);
  // The certificate is not trusted without its CA: curl refuses (60).
  const CommandResult untrusted = Curl(user);
  EXPECT_EQ(untrusted.code, 60) << untrusted.out;
  // Plain HTTP on the TLS port gets no answer.
  const CommandResult plain =
      RunCommand(absl::StrCat(VITALS_CURL, " -s -o /dev/null -w '%{http_code}' -m 10 ",
                              "http://127.0.0.1:", server_->port(), "/healthz"));
  EXPECT_NE(plain.code, 0);
  EXPECT_EQ(plain.out, "000");
}

TEST_F(ServerAuthTest, TheClientVerifiesTheServerOverTls) {
  Start(/*tls=*/true);
  const ClientTls trusted{dir_.path() + "/cert.pem"};
  HttpClient client("127.0.0.1", server_->port(), absl::Seconds(10), trusted);
  absl::StatusOr<ClientResponse> r = client.Send("GET", "/metrics", {}, Credentials(kPassword));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "up 1\n");
  // Keep-alive over TLS: the second request reuses the connection.
  EXPECT_EQ(client.Send("PUT", "/metrics/job/j", "up 1\n", Credentials(kPassword))->status, 200);
  EXPECT_EQ(pushes_.load(), 1);
  absl::StatusOr<ClientResponse> via_url =
      Fetch("GET", absl::StrCat("https://127.0.0.1:", server_->port(), "/healthz"), {}, {},
            absl::Seconds(10), trusted);
  ASSERT_TRUE(via_url.ok()) << via_url.status();
  EXPECT_EQ(via_url->status, 200);

  // Not trusted: the system's CAs do not know the self-signed certificate.
  HttpClient untrusted("127.0.0.1", server_->port(), absl::Seconds(10), ClientTls{});
  EXPECT_FALSE(untrusted.Send("GET", "/healthz").ok());
  // Trusted, but the certificate names 127.0.0.1, not localhost.
  HttpClient wrong_name("localhost", server_->port(), absl::Seconds(10), trusted);
  EXPECT_FALSE(wrong_name.Send("GET", "/healthz").ok());
  HttpClient no_ca("127.0.0.1", server_->port(), absl::Seconds(10),
                   ClientTls{dir_.path() + "/absent.pem"});
  EXPECT_THAT(std::string(no_ca.Send("GET", "/healthz").status().message()),
              HasSubstr("cannot load CA file"));
}

TEST_F(ServerAuthTest, AKeyThatDoesNotMatchTheCertificateIsRefusedAtStart) {
  ScratchDir other;
  ASSERT_TRUE(testing::MakeSelfSignedCertificate(dir_));
  ASSERT_TRUE(testing::MakeSelfSignedCertificate(other));
  auto web = std::make_shared<WebConfig>();
  web->tls.cert_file = dir_.path() + "/cert.pem";
  web->tls.key_file = other.path() + "/key.pem";
  ServerOptions options;
  options.address = "127.0.0.1";
  options.web = web;
  Server server(options);
  const absl::Status started = server.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(started.message()), HasSubstr("tls_server_config.key_file"));
  EXPECT_THAT(std::string(started.message()), HasSubstr("key values mismatch"));

  web->tls.key_file = dir_.path() + "/cert.pem";  // not a key at all
  Server garbled(options);
  EXPECT_THAT(std::string(garbled.Start().message()), HasSubstr("tls_server_config.key_file"));
}

}  // namespace
}  // namespace vitals::http
