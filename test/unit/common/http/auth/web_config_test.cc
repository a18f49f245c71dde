// The web config file in Prometheus' format: what loads, and what is
// refused with the key named (a typo must not leave a port open).

#include "common/http/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test/unit/common/http/auth/test_credentials.h"

namespace vitals::http {
namespace {

using testing::BcryptHash;
using ::testing::HasSubstr;
using testing::ScratchDir;

class WebConfigTest : public ::testing::Test {
 protected:
  std::string Load(const std::string& yaml) {
    absl::StatusOr<WebConfig> web = LoadWebConfig(dir_.Write("web.yml", yaml));
    if (web.ok()) {
      web_ = *web;
      return "ok";
    }
    return std::string(web.status().message());
  }

  ScratchDir dir_;
  WebConfig web_;
};

TEST_F(WebConfigTest, EmptyFileTurnsNothingOnAsInPrometheus) {
  EXPECT_EQ(Load(""), "ok");
  EXPECT_FALSE(web_.tls_enabled());
  EXPECT_FALSE(web_.auth_enabled());
}

TEST_F(WebConfigTest, PrometheusExampleLoads) {
  const std::string cert = dir_.Write("c.pem", "x");
  const std::string key = dir_.Write("k.pem", "x");
  const std::string hash = BcryptHash("secret", "$2y$");
  ASSERT_FALSE(hash.empty());
  EXPECT_EQ(Load("tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key +
                 "\n  min_version: TLS13\nbasic_auth_users:\n  flink: " + hash +
                 "\nhttp_server_config:\n  http2: true\n  headers:\n"
                 "    Strict-Transport-Security: max-age=31536000\n"),
            "ok");
  EXPECT_TRUE(web_.tls_enabled());
  EXPECT_EQ(web_.tls.cert_file, cert);
  EXPECT_EQ(web_.tls.min_version, "TLS13");
  EXPECT_EQ(web_.tls.client_auth_type, "NoClientCert");
  ASSERT_TRUE(web_.auth_enabled());
  // `$2y$…` reaches the verifier as written: `$` is not an expansion.
  EXPECT_EQ(web_.basic_auth_users.at("flink"), hash);
  EXPECT_EQ(web_.headers.at("Strict-Transport-Security"), "max-age=31536000");
}

TEST_F(WebConfigTest, RefusalsNameTheKey) {
  const std::string cert = dir_.Write("c.pem", "x");
  EXPECT_THAT(Load("tls_server_config:\n  cert_file: " + cert + "\n"),
              HasSubstr("tls_server_config.key_file: cert_file and key_file go together"));
  EXPECT_THAT(Load("tls_server_config:\n  cert_file: " + cert + "\n  key_file: /nonexistent\n"),
              HasSubstr("tls_server_config.key_file: cannot read /nonexistent"));
  EXPECT_THAT(Load("tls_server_confg:\n  cert_file: x\n"),
              HasSubstr("tls_server_confg: unknown key"));
  EXPECT_THAT(Load("basic_auth_users:\n  flink: secret\n"),
              HasSubstr("basic_auth_users: user flink: not a bcrypt hash"));
  EXPECT_THAT(Load("basic_auth_users:\n  \"a:b\": " + BcryptHash("x") + "\n"),
              HasSubstr("user name 'a:b' is empty or holds ':'"));
  EXPECT_THAT(Load("tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + cert +
                   "\n  client_auth_type: RequireAndVerifyClientCert\n"),
              HasSubstr("tls_server_config.client_ca_file: required by client_auth_type"));
  EXPECT_THAT(Load("tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + cert +
                   "\n  min_version: TLS11\n"),
              HasSubstr("tls_server_config.min_version"));
  EXPECT_THAT(Load("http_server_config:\n  headers:\n    Server: evil\n"),
              HasSubstr("http_server_config.headers"));
  EXPECT_THAT(std::string(LoadWebConfig("/nonexistent/web.yml").status().message()),
              HasSubstr("/nonexistent/web.yml"));
}

}  // namespace
}  // namespace vitals::http
