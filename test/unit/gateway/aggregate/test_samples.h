#pragma once

// Owning stand-ins for FlinkSample (whose views must outlive one call), and
// lookups into flushed batches, for the aggregator tests.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gateway/aggregate/aggregator_config.h"
#include "gateway/flink_sample.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway::testing {

struct OwnedSample {
  v1::Scope scope = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
  std::string metric;
  std::string job_name = "orders";
  std::string job_id = "j1";
  std::map<std::string, std::string> labels;  // sorted, as FlinkSample wants
  double value = 0;
  SampleType type = SampleType::kGauge;
  std::string quantile;
  int64_t timestamp_ms = 0;
  std::string source = "pod-a";
};

// An aggregator config for tests: a node, a cluster, a few shards.
inline AggregatorConfig TestConfig() {
  AggregatorConfig config;
  config.gateway = "node-1";
  config.cluster = "k8s-test";
  config.shards = 4;
  return config;
}

// Operator `Map`'s `metric` as subtask `subtask` reports it from its own pod.
inline OwnedSample Subtask(std::string metric, int subtask, double value, int64_t ts) {
  OwnedSample s;
  s.metric = std::move(metric);
  s.labels = {{"host", "10.0.0." + std::to_string(subtask)},
              {"operator_name", "Map"},
              {"subtask_index", std::to_string(subtask)},
              {"task_attempt_num", "0"},
              {"task_name", "Map"},
              {"tm_id", "tm-" + std::to_string(subtask)}};
  s.source = "pod-" + std::to_string(subtask);
  s.value = value;
  s.timestamp_ms = ts;
  return s;
}

inline void Send(FlinkSampleSink& sink, const OwnedSample& s) {
  std::vector<LabelView> labels;
  for (const auto& [name, value] : s.labels) labels.push_back({name, value});
  FlinkSample sample;
  sample.scope = s.scope;
  sample.metric = s.metric;
  sample.job_id = s.job_id;
  sample.job_name = s.job_name;
  sample.labels = labels;
  sample.value = s.value;
  sample.type = s.type;
  sample.quantile = s.quantile;
  sample.timestamp_ms = s.timestamp_ms;
  sample.source = s.source;
  sink.OnFlinkSample(sample);
}

// The aggregate of `metric` with exactly these labels in `batch`, or null.
inline const v1::SeriesAggregate* FindSeries(const v1::MetricBatch& batch, std::string_view metric,
                                             const std::map<std::string, std::string>& labels) {
  for (const v1::SeriesAggregate& series : batch.series()) {
    if (series.metric() != metric) continue;
    std::map<std::string, std::string> have(series.labels().begin(), series.labels().end());
    if (have == labels) return &series;
  }
  return nullptr;
}

inline const v1::MetricBatch* FindBatch(const std::vector<v1::MetricBatch>& batches,
                                        std::string_view job_name, int64_t interval_start_ms) {
  for (const v1::MetricBatch& batch : batches) {
    if (batch.job_name() == job_name && batch.interval_start_ms() == interval_start_ms) {
      return &batch;
    }
  }
  return nullptr;
}

inline std::multiset<std::pair<std::string, double>> Instances(const v1::SeriesAggregate& s) {
  std::multiset<std::pair<std::string, double>> out;
  for (const auto& i : s.instances()) out.emplace(i.instance(), i.value());
  return out;
}

}  // namespace vitals::gateway::testing
