#include "gateway/gateway_config.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/http/server_options_config.h"
#include "common/http/url.h"

namespace vitals::gateway {
namespace {

std::string DefaultNodeName() {
  if (const char* node = std::getenv("NODE_NAME"); node != nullptr && *node != '\0') return node;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') return host;
  return "localhost";
}

}  // namespace

GatewayConfig ParseGatewayConfig(config::YamlMap& map) {
  GatewayConfig c;
  c.node = DefaultNodeName();
  map.Get("node", &c.node);
  map.Get("cluster", &c.cluster);
  map.Get("listen", &c.listen);
  {
    config::YamlMap http = map.Child("http");
    http::ParseServerOptions(http, &c.http);
  }
  {
    config::YamlMap push = map.Child("pushgateway");
    push.Get("group_ttl", &c.push_group_ttl);
    push.RejectUnknownKeys();
  }
  {
    config::YamlMap aggregation = map.Child("aggregation");
    c.aggregation = ParseAggregatorConfig(aggregation);
  }
  {
    config::YamlMap attribution = map.Child("attribution");
    attribution.Get("sender_name_as_job", &c.attribution.sender_name_as_job);
    attribution.RejectUnknownKeys();
  }
  {
    config::YamlMap kafka = map.Child("kafka");
    kafka.Get("topic", &c.kafka_sink.topic);
    // Read wide, refused rather than clamped: a buffer of nothing would
    // drop every interval.
    constexpr int64_t kMinBuffer = 64 << 10;
    int64_t buffer = static_cast<int64_t>(c.kafka_sink.buffer_bytes);
    kafka.Get("buffer_bytes", &buffer);
    if (buffer < kMinBuffer) {
      kafka.Error("buffer_bytes", absl::StrCat("must be at least ", kMinBuffer, " bytes"));
    } else {
      c.kafka_sink.buffer_bytes = static_cast<size_t>(buffer);
    }
    int64_t in_flight = c.kafka_sink.max_in_flight;
    kafka.Get("max_in_flight", &in_flight);
    if (in_flight < 1 || in_flight > 1'000'000) {
      kafka.Error("max_in_flight", "must be between 1 and 1000000");
    } else {
      c.kafka_sink.max_in_flight = static_cast<int>(in_flight);
    }
    kafka.Get("properties", &c.kafka_properties);
    kafka.RejectUnknownKeys();
  }
  {
    config::YamlMap statsd = map.Child("statsd");
    c.statsd = ParseStatsdReceiverOptions(statsd);
  }
  {
    config::YamlMap influx = map.Child("influx");
    c.influx = ParseInfluxReceiverOptions(influx);
  }
  {
    config::YamlMap scrape = map.Child("scrape");
    c.scrape = ParseScrapeOptions(scrape);
  }
  map.Get("shutdown_timeout", &c.shutdown_timeout);
  map.RejectUnknownKeys();
  if (absl::Status s = c.Validate(); !s.ok()) map.Error("", std::string(s.message()));
  return c;
}

absl::Status GatewayConfig::Validate() const {
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = http::ParseHostPort(listen, &host, &port); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("listen: ", s.message()));
  }
  if (node.empty()) return absl::InvalidArgumentError("node: must not be empty");
  if (http.threads < 1) return absl::InvalidArgumentError("http.threads: must be at least 1");
  if (http.max_body_bytes < 1024) {
    return absl::InvalidArgumentError("http.max_body_bytes: must be at least 1024");
  }
  if (kafka_sink.topic.empty()) return absl::InvalidArgumentError("kafka.topic: must not be empty");
  if (kafka_sink.max_in_flight < 1) {
    return absl::InvalidArgumentError("kafka.max_in_flight: must be at least 1");
  }
  if (absl::Status s = kafka::ValidateProperties(ProducerProperties()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("kafka.properties: ", s.message()));
  }
  if (statsd.enabled) {
    if (absl::Status s = statsd.Validate(); !s.ok()) return s;
  }
  if (absl::Status s = influx.Validate(); !s.ok()) return s;
  if (scrape.enabled) {
    if (absl::Status s = scrape.Validate(); !s.ok()) return s;
  }
  return aggregation.Validate();
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
