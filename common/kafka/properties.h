#pragma once

// librdkafka properties pass straight through from config files: any key
// librdkafka knows is settable, and an unknown key or bad value is an
// InvalidArgument naming it.
//
// Secrets (SASL passwords, key passphrases) travel in the same map, so this
// layer also keeps them out of what it prints: errors and librdkafka's own
// log lines have every known secret value replaced by `[redacted]`.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

struct rd_kafka_conf_s;

namespace vitals::kafka {

using Properties = std::map<std::string, std::string>;

// Builds a librdkafka configuration; the caller owns the result (or hands
// it to rd_kafka_new, which takes ownership). The values of secret
// properties are registered (RegisterSecret), and librdkafka's log lines
// go through Redact before they reach stderr.
absl::StatusOr<rd_kafka_conf_s*> MakeConf(const Properties& properties);

// Validates properties without creating a client (for check-config).
absl::Status ValidateProperties(const Properties& properties);

// Whether a property holds a credential: sasl.password, ssl.key.password,
// ssl.key.pem, ssl.keystore.password, sasl.oauthbearer.client.secret,
// sasl.oauthbearer.config.
bool IsSecretProperty(std::string_view key);

// Remembers `value` for the life of the process as one never to print.
// Config loading registers what it reads from `*_file` keys; MakeConf
// registers the values of secret properties. Empty values are ignored.
void RegisterSecret(std::string_view value);

// `text` with every registered secret replaced by `[redacted]`.
std::string Redact(std::string_view text);

}  // namespace vitals::kafka
