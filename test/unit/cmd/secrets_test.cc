// Secrets in config files: `${VAR}` and `*_file` values load, check-config
// accepts them, and no secret reaches a log line, an error, check-config's
// output, `--list-keys` or a gateway's /metrics
// (docs/configuration.md, "Environment variables and secret files").

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cmd/config_file.h"
#include "common/http/client.h"
#include "gateway/gateway.h"
#include "test/support/stderr/stderr_capture.h"

namespace vitals::cmd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kEnvSecret[] = "env-secret-Zq81";
constexpr char kFileSecret[] = "file-secret-Kd27";
constexpr char kOauthSecret[] = "oauth-secret-Vx55";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/vitals-secrets-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    setenv("VITALS_TEST_SASL_PASSWORD", kEnvSecret, 1);
    setenv("VITALS_TEST_SECRETS", dir_.c_str(), 1);
    unsetenv("VITALS_TEST_UNSET");
    Write("kafka-key", absl::StrCat(kFileSecret, "\n"));
    Write("oauth", absl::StrCat(kOauthSecret, "\n"));
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name) << content;
    return dir_ + "/" + name;
  }

  // A gateway and a scorer whose Kafka credentials come from the
  // environment and from files, one of them named relative to the config.
  std::string WriteConfig(const std::string& name, const std::string& extra_properties = "") {
    return Write(name, absl::StrCat("gateway:\n"
                                    "  node: secrets-node\n"
                                    "  listen: 127.0.0.1:0\n"
                                    "  statsd:\n"
                                    "    enabled: false\n"
                                    "  kafka:\n"
                                    "    properties:\n"
                                    "      bootstrap.servers: ${VITALS_TEST_BROKERS:-127.0.0.1:1}\n"
                                    "      debug: conf,security,broker\n"
                                    "      security.protocol: sasl_plaintext\n"
                                    "      sasl.mechanisms: PLAIN\n"
                                    "      sasl.username: vitals\n"
                                    "      sasl.password: ${VITALS_TEST_SASL_PASSWORD}\n"
                                    "      ssl.key.password_file: kafka-key\n",
                                    extra_properties,
                                    "scorer:\n"
                                    "  kafka:\n"
                                    "    properties:\n"
                                    "      bootstrap.servers: 127.0.0.1:1\n"
                                    "      sasl.password_file: ${VITALS_TEST_SECRETS}/oauth\n"));
  }

  CommandRun CheckConfig(const std::vector<std::string>& args) {
    const char* binary = std::getenv("VITALS_BINARY");
    CommandRun run;
    if (binary == nullptr) return run;
    std::string command = absl::StrCat(binary, " check-config");
    for (const std::string& arg : args) absl::StrAppend(&command, " '", arg, "'");
    absl::StrAppend(&command, " >", dir_, "/out 2>", dir_, "/err");
    const int status = std::system(command.c_str());
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadAll(dir_ + "/out");
    run.err = ReadAll(dir_ + "/err");
    return run;
  }

  static void ExpectNoSecret(const std::string& text, const std::string& where) {
    for (const char* secret : {kEnvSecret, kFileSecret, kOauthSecret}) {
      EXPECT_THAT(text, Not(HasSubstr(secret))) << where;
    }
  }

  std::string dir_;
};

TEST_F(SecretsTest, EnvironmentAndFileValuesLoad) {
  absl::StatusOr<VitalsConfig> config = LoadConfig(WriteConfig("vitals.yaml"));
  ASSERT_TRUE(config.ok()) << config.status();
  const kafka::Properties& gateway = config->gateway.kafka_properties;
  EXPECT_EQ(gateway.at("sasl.password"), kEnvSecret);
  EXPECT_EQ(gateway.at("ssl.key.password"), kFileSecret);
  EXPECT_EQ(gateway.at("bootstrap.servers"), "127.0.0.1:1");
  EXPECT_FALSE(gateway.contains("ssl.key.password_file"));
  EXPECT_EQ(config->scorer.kafka_properties.at("sasl.password"), kOauthSecret);
}

TEST_F(SecretsTest, ErrorsNameTheKeyPathAndTheVariableOrFileButNoValue) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"      sasl.oauthbearer.config: ${VITALS_TEST_UNSET}\n",
       "gateway.kafka.properties.sasl.oauthbearer.config: environment variable "
       "VITALS_TEST_UNSET is not set"},
      {"      ssl.keystore.password_file: absent\n",
       absl::StrCat("gateway.kafka.properties.ssl.keystore.password_file: cannot read ", dir_,
                    "/absent: No such file or directory")},
      {"      sasl.password_file: kafka-key\n",
       "gateway.kafka.properties.sasl.password_file: set either sasl.password or "
       "sasl.password_file, not both"},
      // A secret file named for the wrong property: librdkafka quotes the
      // value it refuses, and the quote is redacted.
      {"      compression.type_file: kafka-key\n",
       "gateway.kafka.properties: kafka property compression.type: Invalid value "
       "\"[redacted]\""},
  };
  for (const auto& [extra, error] : cases) {
    const std::string file = WriteConfig("bad.yaml", extra);
    vitals::testing::StderrCapture capture;
    absl::StatusOr<VitalsConfig> config = LoadConfig(file);
    ASSERT_FALSE(config.ok()) << extra;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(error));
    ExpectNoSecret(std::string(config.status().message()), extra);
    ExpectNoSecret(capture.Stop(), extra);

    CommandRun run = CheckConfig({file});
    if (std::getenv("VITALS_BINARY") == nullptr) continue;
    EXPECT_EQ(run.code, 1) << run.err;
    EXPECT_THAT(run.err, HasSubstr(error));
    ExpectNoSecret(run.out + run.err, "check-config " + extra);
  }
}

TEST_F(SecretsTest, CheckConfigAcceptsThemAndPrintsNoSecret) {
  if (std::getenv("VITALS_BINARY") == nullptr) GTEST_SKIP() << "VITALS_BINARY is not set";
  const std::string file = WriteConfig("vitals.yaml");
  CommandRun run = CheckConfig({file});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr(file + ": ok"));
  ExpectNoSecret(run.out + run.err, "check-config");

  run = CheckConfig({"--list-keys"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("gateway.kafka.properties"));
  ExpectNoSecret(run.out + run.err, "--list-keys");
}

TEST_F(SecretsTest, ARunningGatewayLogsAndExposesNoSecret) {
  absl::StatusOr<VitalsConfig> config = LoadConfig(WriteConfig("vitals.yaml"));
  ASSERT_TRUE(config.ok()) << config.status();
  vitals::testing::StderrCapture capture;
  std::string metrics;
  {
    gateway::Gateway gateway(config->gateway);
    ASSERT_TRUE(gateway.Start().ok());
    // librdkafka logs its configuration (debug=conf) and its failing
    // connections (the broker is not there) meanwhile.
    absl::SleepFor(absl::Milliseconds(500));
    absl::StatusOr<http::ClientResponse> response =
        http::Fetch("GET", absl::StrCat("http://127.0.0.1:", gateway.http_port(), "/metrics"));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    metrics = response->body;
    (void)gateway.Shutdown(absl::Now() + absl::Milliseconds(200));
  }
  const std::string log = capture.Stop();
  EXPECT_THAT(log, HasSubstr("sasl.password = [redacted]"));
  EXPECT_THAT(metrics, HasSubstr("vitals_gateway_"));
  ExpectNoSecret(log, "stderr");
  ExpectNoSecret(metrics, "/metrics");
}

}  // namespace
}  // namespace vitals::cmd
