#include "gateway/aggregate/aggregator_config.h"

#include <algorithm>

namespace vitals::gateway {

void DeclareAggregatorKeys(config::Keys& k, AggregatorConfig& c) {
  // Whole milliseconds: intervals are cut at multiples of interval_ms().
  k.Key("interval", &c.interval, "aligned to wall-clock multiples on every gateway")
      .Range(absl::Milliseconds(100), absl::Hours(1))
      .Check("must be whole milliseconds", [](absl::Duration d) {
        return d == absl::Milliseconds(absl::ToInt64Milliseconds(d));
      });
  k.Key("shards", &c.shards, "independent locks; jobs map onto them by a hash of the job name")
      .Range(1, 4096);
  k.Key("fold_labels", &c.fold_labels,
        "labels naming an instance rather than the thing measured: they fold away")
      .UniqueItems();
  k.Key("raw_metrics", &c.raw_metrics, "metrics kept per instance (no folding)").UniqueItems();
  k.Key("instance_metrics", &c.instance_metrics,
        "metrics whose aggregates list each instance's value, for skew")
      .UniqueItems();
  k.Key("cumulative_metrics", &c.cumulative_metrics, "user counters to difference like Flink's own")
      .UniqueItems();
  k.Key("job_labels", &c.job_labels, "per-job labels, carried once per batch (vitals_job_info)")
      .UniqueItems();
  k.Key("tenant_label", &c.tenant_label,
        "a job label that qualifies the job's identity (`<tenant>/<job_name>`); empty: none");
  k.Key("max_series", &c.max_series, "source series held at once; new ones beyond it dropped")
      .Positive();
  k.Key("max_series_per_job", &c.max_series_per_job, "source series held per job").Positive();
  k.Key("max_new_series_per_source", &c.max_new_series_per_source,
        "new source series one sender (push group, scrape target, StatsD address, Influx "
        "client) may add per interval; beyond it dropped as source_cap")
      .Positive();
  k.Key("reserved_series_fraction", &c.reserved_series_fraction,
        "share of max_series kept for senders holding fewer than max_new_series_per_source "
        "series, so that one runaway sender cannot lock out new jobs")
      .Range(0.0, 0.5);
  k.Key("expire_after_intervals", &c.expire_after_intervals,
        "a source series unseen this many closed intervals is forgotten")
      .Positive();
  if (!c.tenant_label.empty() &&
      std::find(c.job_labels.begin(), c.job_labels.end(), c.tenant_label) == c.job_labels.end()) {
    k.Error("tenant_label", "must be one of job_labels");
  }
}

absl::Status AggregatorConfig::Validate() const {
  return config::Check("aggregation", *this, DeclareAggregatorKeys);
}

AggregatorConfig ParseAggregatorConfig(config::YamlMap& section) {
  AggregatorConfig config;
  config::Read(section, &config, DeclareAggregatorKeys);
  return config;
}

}  // namespace vitals::gateway
