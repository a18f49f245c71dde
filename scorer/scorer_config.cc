#include "scorer/scorer_config.h"

#include "absl/strings/str_cat.h"
#include "common/http/server_options_config.h"
#include "common/http/web_config.h"

namespace vitals::scorer {

void DeclareScorerKeys(config::Keys& k, ScorerConfig& c) {
  k.Key("listen", &c.listen, "the scorer's API and /metrics")
      .Check("host:port", http::CheckHostPort);
  k.Key("web_config_file", &c.web_config_file,
        "TLS and basic-auth users for listen, in Prometheus' web config format; empty: plain "
        "HTTP, no users")
      .Check("a valid web config file", http::CheckWebConfigFile);
  k.Section("http", &c.http, http::DeclareServerKeys);
  k.Section("kafka", [&](config::Keys& kafka) {
    kafka.Key("metrics_topic", &c.metrics_topic, "the gateways' MetricBatch topic").NonEmpty();
    kafka.Key("health_topic", &c.health_topic, "where JobHealth reports go").NonEmpty();
    kafka.Key("state_topic", &c.state_topic, "compacted topic of job history and migrations")
        .NonEmpty();
    kafka.Key("group_id", &c.group_id, "the replicas' consumer group").NonEmpty();
    kafka.Key("properties", &c.kafka_properties,
              "librdkafka properties, over the scorer's defaults");
    if (absl::Status s = kafka::ValidateProperties(c.ConsumerProperties()); !s.ok()) {
      kafka.Error("properties", std::string(s.message()));
    }
  });
  k.Key("tick", &c.tick, "how often the scorer looks for closed intervals to evaluate").Positive();
  k.Key("state_enabled", &c.state_enabled,
        "keep job history and migrations in state_topic across failovers");
  k.Key("state_restore_timeout", &c.state_restore_timeout,
        "bound on reading newly assigned state partitions before scoring them")
      .Positive();
  k.Key("state_publish_interval", &c.state_publish_interval,
        "at most one state record per job this often (migrations: at once)")
      .NonNegative();
  k.Key("job_expiry", &c.job_expiry,
        "a job without batches this long is dropped and its state tombstoned")
      .Positive();
  k.Key("shutdown_timeout", &c.shutdown_timeout,
        "SIGTERM waits this long for Kafka to acknowledge job states and reports")
      .Positive();
  k.Section("scoring", &c.scoring, DeclareScoringKeys);
}

ScorerConfig ParseScorerConfig(config::YamlMap& map) {
  ScorerConfig c;
  config::Read(map, &c, DeclareScorerKeys);
  return c;
}

absl::Status ScorerConfig::Validate() const {
  return config::Check("scorer", *this, DeclareScorerKeys);
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
