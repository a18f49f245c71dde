#pragma once

// The `scorer:` section of a Vitals config file.

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"
#include "common/http/server.h"
#include "common/kafka/properties.h"
#include "scorer/model/scoring_config.h"

namespace vitals::scorer {

struct ScorerConfig {
  std::string listen = "0.0.0.0:9095";
  // Prometheus-format web config (TLS, basic-auth users) for `listen`.
  std::string web_config_file;
  // Follow `health_topic` (every replica reads every report) so that the
  // API answers for the whole fleet and sends per-job questions (history,
  // migrations, rollback) to the job's owner.
  bool fleet_reads = true;
  // This replica's API base URL as the other replicas and clients reach
  // it, named on each report it publishes; empty: AdvertisedUrl's default.
  std::string advertise_url;
  http::ServerOptions http;
  std::string metrics_topic = "flink.metrics";
  std::string health_topic = "flink.health";
  std::string state_topic = "vitals.scorer.state";
  // Compacted topic of waves (batch migrations), read whole by every replica.
  std::string waves_topic = "vitals.scorer.waves";
  std::string group_id = "vitals-scorer";
  kafka::Properties kafka_properties;
  // How often the scorer looks for closed intervals to evaluate.
  absl::Duration tick = absl::Seconds(1);
  // Keep each job's history and migrations in the compacted `state_topic`
  // so that the replica taking over a partition resumes its jobs.
  bool state_enabled = true;
  // The longest a replica waits for the state of newly assigned
  // partitions before it scores them anyway (jobs without state start
  // blank).
  absl::Duration state_restore_timeout = absl::Seconds(30);
  // At most one state record per job per this interval (migrations are
  // written at once): what a replica that dies without a goodbye loses.
  absl::Duration state_publish_interval = absl::Seconds(30);
  // A job without a batch for this long is dropped (its series withdrawn,
  // its state tombstoned).
  absl::Duration job_expiry = absl::Minutes(15);
  // SIGTERM waits this long for Kafka to acknowledge the last job states
  // and health reports.
  absl::Duration shutdown_timeout = absl::Seconds(30);
  ScoringConfig scoring;

  // InvalidArgument naming each offending key (`scorer.tick: …`).
  absl::Status Validate() const;
  kafka::Properties ConsumerProperties() const;
  kafka::Properties ProducerProperties() const;
  // The state reader's: in no group (it assigns itself partitions), so
  // the group id is only what librdkafka needs to allow assign().
  kafka::Properties StateReaderProperties() const;
  // The health follower's (fleet_reads): in no group either; the
  // TopicFollower sets the group settings it needs.
  kafka::Properties FollowerProperties() const;
  // The wave follower's: in no group either.
  kafka::Properties WaveFollowerProperties() const;
  // advertise_url without a trailing '/' when set; otherwise
  // `http://` (`https://` with `tls`), the listen host — $POD_IP when that
  // is a wildcard (0.0.0.0, ::, empty), else the host name — and
  // `bound_port`, the port the server is listening on.
  std::string AdvertisedUrl(bool tls, uint16_t bound_port) const;
};

// The keys of the `scorer:` section.
void DeclareScorerKeys(config::Keys& keys, ScorerConfig& config);

// Reads the `scorer:` section; errors are recorded in map.errors().
ScorerConfig ParseScorerConfig(config::YamlMap& map);

}  // namespace vitals::scorer
