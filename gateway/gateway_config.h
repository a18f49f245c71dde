#pragma once

// The `gateway:` section of a Vitals config file, with defaults, strict
// parsing and validation.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"
#include "common/http/server.h"
#include "common/kafka/properties.h"
#include "gateway/aggregate/aggregator_config.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/receivers/receivers.h"
#include "gateway/sinks/kafka_sink.h"

namespace vitals::gateway {

struct GatewayConfig {
  std::string node;  // default: $NODE_NAME, else the host name
  std::string cluster = "default";
  std::string listen = "0.0.0.0:9091";
  // Prometheus-format web config (TLS, basic-auth users) for `listen`.
  std::string web_config_file;
  http::ServerOptions http;
  // A push group not pushed to for this long stops being reported;
  // zero means three aggregation intervals.
  absl::Duration push_group_ttl = absl::ZeroDuration();
  // A pushed `cluster` grouping label names its samples' cluster instead of
  // `cluster` (PushClusterOptions, gateway/receivers/pushgateway/receiver.h).
  bool push_cluster_override = false;
  AggregatorConfig aggregation;
  // `attribution:` how process-scope series find their jobs
  // (gateway/attribute/).
  struct Attribution {
    bool sender_name_as_job = false;
  } attribution;
  // One section per registered receiver (`statsd:`, `influx:`, `scrape:`).
  Receivers::Options receivers;
  KafkaSinkOptions kafka_sink;
  kafka::Properties kafka_properties;
  absl::Duration shutdown_timeout = absl::Seconds(30);

  // InvalidArgument naming each offending key (`gateway.kafka.topic: …`).
  absl::Status Validate() const;
  // librdkafka properties with the gateway's defaults under the user's.
  kafka::Properties ProducerProperties() const;
  absl::Duration EffectivePushGroupTtl() const;
  // Evidence lasts as long as the source series it came from: until the
  // aggregator forgets silent series.
  ProcessJobTable::Options AttributionOptions() const;
};

// The keys of the `gateway:` section. Reading fills an empty `node` with
// the host's name first.
void DeclareGatewayKeys(config::Keys& keys, GatewayConfig& config);

// Reads the `gateway:` section; errors are recorded in map.errors().
GatewayConfig ParseGatewayConfig(config::YamlMap& map);

}  // namespace vitals::gateway
