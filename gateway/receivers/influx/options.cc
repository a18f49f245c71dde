#include "gateway/receivers/influx/options.h"

namespace vitals::gateway {

void DeclareInfluxKeys(config::Keys& k, InfluxReceiverOptions& o) {
  k.Key("enabled", &o.enabled, "take Flink's InfluxdbReporter writes (POST /write)");
  k.Key("max_body_bytes", &o.max_body_bytes,
        "limit on a write's body after gzip decoding (as sent, http.max_body_bytes bounds it)")
      .Min(1024);
  k.Key("max_errors_listed", &o.max_errors_listed, "bad lines named in a 400 answer")
      .Range(1, 1000);
  k.Key("meter_counts", &o.normalize.meter_counts,
        "keep a meter's `count` field as `<meter>_count`");
  k.Key("cluster_tag", &o.normalize.cluster_tag, "the tag that names the job's cluster");
  k.Key("cluster_override", &o.normalize.cluster_override,
        "the cluster tag names its samples' cluster; false: gateway.cluster does (the tag stays a "
        "label)");
}

absl::Status InfluxReceiverOptions::Validate() const {
  return config::Check("influx", *this, DeclareInfluxKeys);
}

InfluxReceiverOptions ParseInfluxReceiverOptions(config::YamlMap& map) {
  InfluxReceiverOptions o;
  config::Read(map, &o, DeclareInfluxKeys);
  return o;
}

}  // namespace vitals::gateway
