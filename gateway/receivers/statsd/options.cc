#include "gateway/receivers/statsd/options.h"

#include "common/http/server_options_config.h"
#include "gateway/receivers/statsd/scope_format.h"

namespace vitals::gateway {
namespace {

void DeclareScopeFormatKeys(config::Keys& k, FlinkScopeFormats& f) {
  k.Key("jm", &f.jm, "metrics.scope.jm").NonEmpty();
  k.Key("jm_job", &f.jm_job, "metrics.scope.jm-job").NonEmpty();
  k.Key("jm_operator", &f.jm_operator, "metrics.scope.jm-operator").NonEmpty();
  k.Key("tm", &f.tm, "metrics.scope.tm").NonEmpty();
  k.Key("tm_job", &f.tm_job, "metrics.scope.tm-job").NonEmpty();
  k.Key("task", &f.task, "metrics.scope.task").NonEmpty();
  k.Key("operator", &f.operator_, "metrics.scope.operator").NonEmpty();
  k.Key("delimiter", &f.delimiter, "metrics.scope.delimiter (its first character)").NonEmpty();
  k.Key("values_contain_delimiter", &f.values_contain_delimiter,
        "false when no host, id or name contains the delimiter");
  if (absl::StatusOr<ScopeParser> parser = ScopeParser::Create(f); !parser.ok()) {
    k.Error("", std::string(parser.status().message()));
  }
}

}  // namespace

void DeclareStatsdKeys(config::Keys& k, StatsdReceiverOptions& o) {
  k.Key("enabled", &o.enabled, "listen for Flink's StatsDReporter");
  k.Key("listen", &o.listen, "the UDP address to listen on")
      .Check("host:port", http::CheckHostPort);
  k.Key("threads", &o.threads, "receiving lanes sharing the port (SO_REUSEPORT)").Range(1, 64);
  k.Key("receive_buffer_bytes", &o.receive_buffer_bytes,
        "SO_RCVBUF asked for (capped by net.core.rmem_max); 0 keeps the system's")
      .Range(0, int64_t{1} << 30);
  k.Key("max_datagram_bytes", &o.max_datagram_bytes, "longer datagrams are refused")
      .Range(512, 65507);
  k.Key("receive_batch", &o.receive_batch,
        "datagrams read per recvmmsg call, each into a max_datagram_bytes slot; 1 reads each "
        "with its own recvmsg")
      .Range(1, 1024);
  k.Key("dogstatsd_tags", &o.parse.dogstatsd_tags, "`|#k:v` tags become labels");
  k.Key("meter_counts", &o.normalize.meter_counts, "keep a meter's `.count` as `<meter>_count`");
  k.Key("key_value_keys", &o.normalize.key_value_keys,
        "addGroup(key, value) keys: the value after such a key becomes a label")
      .UniqueItems();
  k.Millis("hold", &o.normalize.hold_ms,
           "how long a `0` waits for the negative value it may announce")
      .Range(absl::Milliseconds(1), absl::Seconds(10));
  k.Key("max_identifiers", &o.normalize.max_identifiers, "identifiers parsed once and cached")
      .Min(1024);
  k.Section("scope_formats", &o.normalize.scope_formats, DeclareScopeFormatKeys);
}

absl::Status StatsdReceiverOptions::Validate() const {
  return config::Check("statsd", *this, DeclareStatsdKeys);
}

StatsdReceiverOptions ParseStatsdReceiverOptions(config::YamlMap& map) {
  StatsdReceiverOptions o;
  config::Read(map, &o, DeclareStatsdKeys);
  return o;
}

}  // namespace vitals::gateway
