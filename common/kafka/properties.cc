#include "common/kafka/properties.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vitals::kafka {
namespace {

// Credentials among librdkafka's properties, as its CONFIGURATION.md
// describes them (Debian: /usr/share/doc/librdkafka-dev/CONFIGURATION.md.gz):
// passwords, a key passphrase, a private key, an OIDC client secret and the
// OAUTHBEARER config that may carry one. librdkafka flags most of them
// _RK_SENSITIVE in rdkafka_conf.c and prints `[redacted]` for them in its
// `debug=conf` dump, but not sasl.oauthbearer.client.secret (2.0.2), and no
// public API exposes the flag: hence a list of our own.
constexpr std::string_view kSecretProperties[] = {
    "sasl.password",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.config",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl.keystore.password",
};

struct SecretRegistry {
  absl::Mutex mu;
  std::set<std::string, std::less<>> values ABSL_GUARDED_BY(mu);
};

SecretRegistry& Secrets() {
  // Never destroyed: librdkafka threads may still log during exit.
  static auto* registry = new SecretRegistry();
  return *registry;
}

// librdkafka calls this from its own threads. The format is
// rd_kafka_log_print's, which cannot be reused: it prints the client's
// name, and the name holds client.id.
void LogRedacted(const rd_kafka_t* rk, int level, const char* facility, const char* line) {
  const absl::Time now = absl::Now();
  const int64_t ms = absl::ToUnixMillis(now);
  std::fprintf(stderr, "%%%i|%lld.%03lld|%s|%s| %s\n", level, static_cast<long long>(ms / 1000),
               static_cast<long long>(ms % 1000), facility,
               Redact(rk != nullptr ? rd_kafka_name(rk) : "").c_str(), Redact(line).c_str());
}

}  // namespace

bool IsSecretProperty(std::string_view key) {
  return std::find(std::begin(kSecretProperties), std::end(kSecretProperties), key) !=
         std::end(kSecretProperties);
}

void RegisterSecret(std::string_view value) {
  if (value.empty()) return;
  SecretRegistry& secrets = Secrets();
  absl::MutexLock lock(&secrets.mu);
  secrets.values.emplace(value);
}

std::string Redact(std::string_view text) {
  SecretRegistry& secrets = Secrets();
  absl::MutexLock lock(&secrets.mu);
  std::string out(text);
  // Longest first, so that a secret containing another is replaced whole.
  std::vector<const std::string*> longest_first;
  for (const std::string& value : secrets.values) longest_first.push_back(&value);
  std::sort(longest_first.begin(), longest_first.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* value : longest_first) {
    out = absl::StrReplaceAll(out, {{*value, "[redacted]"}});
  }
  return out;
}

absl::StatusOr<rd_kafka_conf_s*> MakeConf(const Properties& properties) {
  for (const auto& [key, value] : properties) {
    if (IsSecretProperty(key)) RegisterSecret(value);
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, LogRedacted);
  char err[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // Some librdkafka versions quote the refused value in `err`.
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", key, ": ", Redact(err)));
    }
  }
  return conf;
}

absl::Status ValidateProperties(const Properties& properties) {
  absl::StatusOr<rd_kafka_conf_s*> conf = MakeConf(properties);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_destroy(*conf);
  return absl::OkStatus();
}

}  // namespace vitals::kafka
