#include "scorer/scorer_config.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/http/server_options_config.h"
#include "common/http/url.h"
#include "common/http/web_config.h"

namespace vitals::scorer {
namespace {

// An advertised URL is a base the API's paths are appended to: a scheme,
// a host, maybe a port and a path prefix (a proxy's), nothing else.
absl::Status CheckAdvertiseUrl(const std::string& url) {
  if (url.empty()) return absl::OkStatus();
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError("expected an http:// or https:// URL");
  }
  if (url.find_first_of("?# ") != std::string::npos) {
    return absl::InvalidArgumentError("expected a base URL without query, fragment or spaces");
  }
  if (absl::StatusOr<http::Url> parsed = http::ParseUrl(url); !parsed.ok()) {
    return parsed.status();
  }
  return absl::OkStatus();
}

bool IsWildcardHost(std::string_view host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') return host;
  return "localhost";
}

}  // namespace

void DeclareScorerKeys(config::Keys& k, ScorerConfig& c) {
  k.Key("listen", &c.listen, "the scorer's API and /metrics")
      .Check("host:port", http::CheckHostPort);
  k.Key("web_config_file", &c.web_config_file,
        "TLS and basic-auth users for listen, in Prometheus' web config format; empty: plain "
        "HTTP, no users")
      .Check("a valid web config file", http::CheckWebConfigFile);
  k.Key("fleet_reads", &c.fleet_reads,
        "follow health_topic so that the API answers for every job of the fleet and sends "
        "per-job questions to the job's owner");
  k.Key("advertise_url", &c.advertise_url,
        "this replica's API base URL for the other replicas and clients; empty: http(s)://, the "
        "listen host (a wildcard: $POD_IP, else the host name) and the bound port")
      .Check("an http:// or https:// base URL", CheckAdvertiseUrl);
  k.Section("http", &c.http, http::DeclareServerKeys);
  k.Section("kafka", [&](config::Keys& kafka) {
    kafka.Key("metrics_topic", &c.metrics_topic, "the gateways' MetricBatch topic").NonEmpty();
    kafka.Key("health_topic", &c.health_topic, "where JobHealth reports go").NonEmpty();
    kafka.Key("state_topic", &c.state_topic, "compacted topic of job history and migrations")
        .NonEmpty();
    kafka
        .Key("waves_topic", &c.waves_topic,
             "compacted topic of waves (batch migrations) that every replica reads whole")
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

kafka::Properties ScorerConfig::FollowerProperties() const {
  kafka::Properties p = kafka_properties;
  // Static membership belongs to the replica's group consumer alone.
  p.erase("group.instance.id");
  p["client.id"] = "vitals-scorer-health-follower";
  return p;
}

kafka::Properties ScorerConfig::WaveFollowerProperties() const {
  kafka::Properties p = FollowerProperties();
  p["client.id"] = "vitals-scorer-wave-follower";
  return p;
}

std::string ScorerConfig::AdvertisedUrl(bool tls, uint16_t bound_port) const {
  if (!advertise_url.empty()) {
    std::string url = advertise_url;
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    return url;
  }
  std::string host;
  uint16_t port = 0;
  if (!http::ParseHostPort(listen, &host, &port).ok()) host.clear();
  if (IsWildcardHost(host)) {
    const char* pod_ip = std::getenv("POD_IP");
    host = pod_ip != nullptr && *pod_ip != '\0' ? pod_ip : HostName();
  }
  // An IPv6 literal is bracketed in a URL.
  if (host.find(':') != std::string::npos && host.front() != '[')
    host = absl::StrCat("[", host, "]");
  return absl::StrCat(tls ? "https://" : "http://", host, ":", bound_port);
}

}  // namespace vitals::scorer
