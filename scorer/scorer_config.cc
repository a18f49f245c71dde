#include "scorer/scorer_config.h"

#include "absl/strings/str_cat.h"
#include "common/http/server_options_config.h"
#include "common/http/url.h"

namespace vitals::scorer {

ScorerConfig ParseScorerConfig(config::YamlMap& map) {
  ScorerConfig c;
  map.Get("listen", &c.listen);
  {
    config::YamlMap http = map.Child("http");
    http::ParseServerOptions(http, &c.http);
  }
  {
    config::YamlMap kafka = map.Child("kafka");
    kafka.Get("metrics_topic", &c.metrics_topic);
    kafka.Get("health_topic", &c.health_topic);
    kafka.Get("state_topic", &c.state_topic);
    kafka.Get("group_id", &c.group_id);
    kafka.Get("properties", &c.kafka_properties);
    kafka.RejectUnknownKeys();
  }
  map.Get("tick", &c.tick);
  map.Get("state_enabled", &c.state_enabled);
  map.Get("state_restore_timeout", &c.state_restore_timeout);
  map.Get("state_publish_interval", &c.state_publish_interval);
  map.Get("job_expiry", &c.job_expiry);
  {
    config::YamlMap scoring = map.Child("scoring");
    absl::StatusOr<ScoringConfig> parsed = ParseScoringConfig(scoring);
    // Errors are already recorded in the file's ConfigErrors.
    if (parsed.ok()) c.scoring = *parsed;
  }
  map.RejectUnknownKeys();
  if (absl::Status s = c.Validate(); !s.ok()) map.Error("", std::string(s.message()));
  return c;
}

absl::Status ScorerConfig::Validate() const {
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = http::ParseHostPort(listen, &host, &port); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("listen: ", s.message()));
  }
  if (metrics_topic.empty() || health_topic.empty() || state_topic.empty()) {
    return absl::InvalidArgumentError("kafka: topic names must not be empty");
  }
  if (group_id.empty()) return absl::InvalidArgumentError("kafka.group_id: must not be empty");
  if (tick <= absl::ZeroDuration()) return absl::InvalidArgumentError("tick: must be positive");
  if (state_restore_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("state_restore_timeout: must be positive");
  }
  if (state_publish_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("state_publish_interval: must not be negative");
  }
  if (job_expiry <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("job_expiry: must be positive");
  }
  if (absl::Status s = kafka::ValidateProperties(ConsumerProperties()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("kafka.properties: ", s.message()));
  }
  return scoring.Validate();
}

kafka::Properties ScorerConfig::ConsumerProperties() const {
  kafka::Properties p = {
      {"group.id", group_id},          {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "true"},  {"client.id", "vitals-scorer"},
      {"session.timeout.ms", "10000"}, {"heartbeat.interval.ms", "1000"},
  };
  for (const auto& [k, v] : kafka_properties) p[k] = v;
  return p;
}

kafka::Properties ScorerConfig::ProducerProperties() const {
  kafka::Properties p = {
      {"enable.idempotence", "true"}, {"acks", "all"},
      {"compression.type", "zstd"},   {"linger.ms", "20"},
      {"client.id", "vitals-scorer"},
  };
  for (const auto& [k, v] : kafka_properties) p[k] = v;
  return p;
}

kafka::Properties ScorerConfig::StateReaderProperties() const {
  kafka::Properties p = kafka_properties;
  p["group.id"] = absl::StrCat(group_id, "-state-restore");
  p["client.id"] = "vitals-scorer-state-restore";
  return p;
}

}  // namespace vitals::scorer
