#include "gateway/gateway_config.h"

#include <unistd.h>

#include <cstdlib>

#include "common/base/cluster_name.h"
#include "common/http/server_options_config.h"
#include "common/http/url.h"
#include "common/http/web_config.h"

namespace vitals::gateway {
namespace {

std::string DefaultNodeName() {
  if (const char* node = std::getenv("NODE_NAME"); node != nullptr && *node != '\0') return node;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') return host;
  return "localhost";
}

}  // namespace

void DeclareGatewayKeys(config::Keys& k, GatewayConfig& c) {
  if (k.reading() && c.node.empty()) c.node = DefaultNodeName();
  k.Key("node", &c.node, "node label of every batch; default: $NODE_NAME, else the host name")
      .NonEmpty();
  // The same rule as a pushed or posted cluster name (cluster_name.h): the
  // scorer matches migrations against it byte for byte.
  k.Key("cluster", &c.cluster, "cluster label written into every batch")
      .Check("must be a cluster name: 1 to 128 bytes of letters, digits, '_', '-' and '.'",
             [](const std::string& name) { return ClusterNameProblem(name).empty(); });
  k.Key("listen", &c.listen, "Pushgateway API, Influx writes, /metrics, /healthz, /readyz")
      .Check("host:port", http::CheckHostPort);
  k.Key("web_config_file", &c.web_config_file,
        "TLS and basic-auth users for listen, in Prometheus' web config format; empty: plain "
        "HTTP, no users")
      .Check("a valid web config file", http::CheckWebConfigFile);
  k.Section("http", &c.http, http::DeclareServerKeys);
  k.Section("pushgateway", [&](config::Keys& push) {
    push.Key("group_ttl", &c.push_group_ttl,
             "a push group not pushed to for this long stops being reported; "
             "0: 3 aggregation intervals")
        .NonNegative();
    push.Key("cluster_override", &c.push_cluster_override,
             "a pushed `cluster` grouping label names its samples' cluster; false: "
             "gateway.cluster does, the label is dropped");
  });
  k.Section("aggregation", &c.aggregation, DeclareAggregatorKeys);
  k.Section("attribution", [&](config::Keys& attribution) {
    attribution.Key("sender_name_as_job", &c.attribution.sender_name_as_job,
                    "a process without job-scoped series goes to its sender's name");
  });
  k.Section("kafka", [&](config::Keys& kafka) {
    kafka.Key("topic", &c.kafka_sink.topic, "the MetricBatch topic").NonEmpty();
    // A buffer of less would drop intervals in any short outage.
    kafka
        .Key("buffer_bytes", &c.kafka_sink.buffer_bytes,
             "local buffer riding out Kafka outages; oldest intervals dropped beyond it")
        .Min(64 << 10);
    kafka.Key("max_in_flight", &c.kafka_sink.max_in_flight, "messages handed to librdkafka at once")
        .Range(1, 1'000'000);
    kafka.Key("properties", &c.kafka_properties,
              "librdkafka producer properties, over the gateway's defaults");
    if (absl::Status s = kafka::ValidateProperties(c.ProducerProperties()); !s.ok()) {
      kafka.Error("properties", std::string(s.message()));
    }
  });
  Receivers::DeclareKeys(k, c.receivers);
  k.Key("shutdown_timeout", &c.shutdown_timeout,
        "SIGTERM waits this long for Kafka to acknowledge the last interval")
      .Positive();
}

GatewayConfig ParseGatewayConfig(config::YamlMap& map) {
  GatewayConfig c;
  config::Read(map, &c, DeclareGatewayKeys);
  return c;
}

absl::Status GatewayConfig::Validate() const {
  return config::Check("gateway", *this, DeclareGatewayKeys);
}

kafka::Properties GatewayConfig::ProducerProperties() const {
  // Exactly-once delivery through outages: idempotence with acks=all, and
  // no delivery deadline (message.timeout.ms=0) so librdkafka keeps
  // retrying; the sink's own byte bound decides what is dropped.
  kafka::Properties p = {
      {"enable.idempotence", "true"},  {"acks", "all"},     {"compression.type", "zstd"},
      {"message.timeout.ms", "0"},     {"linger.ms", "20"}, {"statistics.interval.ms", "5000"},
      {"client.id", "vitals-gateway"},
  };
  p["message.max.bytes"] = std::to_string(kafka_sink.max_message_bytes + 4096);
  for (const auto& [k, v] : kafka_properties) p[k] = v;
  return p;
}

absl::Duration GatewayConfig::EffectivePushGroupTtl() const {
  return push_group_ttl > absl::ZeroDuration() ? push_group_ttl : 3 * aggregation.interval;
}

ProcessJobTable::Options GatewayConfig::AttributionOptions() const {
  ProcessJobTable::Options options;
  options.ttl_ms =
      static_cast<int64_t>(aggregation.expire_after_intervals) * aggregation.interval_ms();
  options.sender_name_as_job = attribution.sender_name_as_job;
  return options;
}

}  // namespace vitals::gateway
