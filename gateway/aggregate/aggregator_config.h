#pragma once

// Configuration of the gateway's aggregator (the `aggregation:` section of
// the gateway config). Defaults suit a node running a few dozen TaskManagers.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"

namespace vitals::gateway {

struct AggregatorConfig {
  // Written into every MetricBatch. Not read from `aggregation:`: the gateway
  // fills them from its node identity.
  std::string gateway;
  std::string cluster;

  // Interval length; intervals are aligned to multiples of it since the epoch
  // so that every gateway cuts the same intervals.
  absl::Duration interval = absl::Seconds(10);
  // Independent locks; jobs map onto them by a hash of the job name.
  uint32_t shards = 16;
  // Labels that identify an instance rather than the thing measured: they
  // fold away. `source` stands for the sample's sender (push group, scrape
  // target, StatsD peer), which otherwise never becomes a label. Latency
  // markers name the subtasks at both ends of the measured path.
  std::vector<std::string> fold_labels = {"host",
                                          "tm_id",
                                          "subtask_index",
                                          "task_attempt_id",
                                          "task_attempt_num",
                                          "operator_subtask_index",
                                          "source_subtask_index",
                                          "source"};
  // Metrics kept per instance: no label folds away.
  std::vector<std::string> raw_metrics;
  // Metrics whose aggregates list each instance's value, for the scorer's
  // skew dimension (instance = subtask_index, else tm_id, else host).
  std::vector<std::string> instance_metrics = {"numRecordsInPerSecond", "busyTimeMsPerSecond"};
  // User metrics that are cumulative counters, beyond Flink's own.
  std::vector<std::string> cumulative_metrics;
  // Labels that describe the job rather than a series (a `team` grouping
  // key, Flink's scope.variables.additional): lifted off the series into
  // the batch's job_labels, which the scorer exports on vitals_job_info.
  std::vector<std::string> job_labels = {"team", "tenant"};
  // The job label whose value qualifies the job's identity (the Kafka key
  // becomes `<tenant>/<job_name>`); empty: job names are unique as they are.
  std::string tenant_label;
  // Caps on source series (one per instance, metric and label set): what
  // memory grows with. A sample of a new series beyond a cap is dropped and
  // counted. The defaults fit the DaemonSet's 768 MiB memory limit even
  // when every series is its own aggregate (deploy/README.md, "Memory").
  int64_t max_series = 150'000;
  int64_t max_series_per_job = 100'000;
  // Fair caps (aggregator.h): new series one source (push group, scrape
  // target, StatsD sender address, Influx client) may add per interval...
  int64_t max_new_series_per_source = 20'000;
  // ...and the share of max_series kept for sources holding fewer than
  // max_new_series_per_source series.
  double reserved_series_fraction = 0.1;
  // A source series (and its counter baseline) unseen for this many closed
  // intervals is forgotten; if it comes back, it is baselined afresh.
  uint32_t expire_after_intervals = 6;

  int64_t interval_ms() const { return absl::ToInt64Milliseconds(interval); }
  // Source series any source may fill; the rest of max_series is the
  // reserve.
  int64_t open_series() const {
    return max_series -
           static_cast<int64_t>(static_cast<double>(max_series) * reserved_series_fraction);
  }

  // InvalidArgument naming each offending key (`aggregation.shards: …`).
  absl::Status Validate() const;
};

// The keys of the `aggregation:` section.
void DeclareAggregatorKeys(config::Keys& keys, AggregatorConfig& config);

// Reads an `aggregation:` section. Unknown keys, type errors and invalid
// values are recorded in the section's ConfigErrors under their full path;
// keys that are absent or wrong keep their defaults.
AggregatorConfig ParseAggregatorConfig(config::YamlMap& section);

}  // namespace vitals::gateway
