#pragma once

// Which metric instances each process of a Flink cluster currently
// reports: the metric groups (with their Flink variables) and, per
// process, the families (one MetricDef each) with the groups that carry
// them. A family holds the groups of every job the process hosts, as
// Flink's reporters hold one collector per metric name. Rebuilt only when
// the cluster's jobs, topology or identities change; renderers walk it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/job_status.h"
#include "sim/metric_catalog.h"
#include "sim/reading.h"

namespace vitals::sim {

struct FlinkCluster;
struct SimJob;

// One metric group instance (e.g. operator 2, subtask 5) with its
// variables, and per-format strings built on first use.
class Group {
 public:
  GroupKind kind = GroupKind::kJobManager;
  bool is_source = false;
  // The fleet's job index for job-scoped groups; -1 for the process's own
  // (jobmanager, taskmanager) groups.
  int32_t job = -1;
  // Index into FlinkCluster::processes.
  int16_t process = 0;
  int16_t task = -1;
  int16_t op = -1;
  int16_t subtask = -1;
  // Flink variables in registration order.
  std::vector<Label> labels;
  // Key/value subgroups with their values, dotted
  // ("KafkaSourceReader.topic.orders.partition.3"); empty otherwise.
  std::string key_value_path;

  // `name="value",` per label (trailing commas as the Prometheus client
  // writes them), values filtered to [a-zA-Z0-9:_] when `filter`.
  const std::string& PrometheusLabels(bool filter) const;
  // The scope identifier under the default scope formats, `.`-delimited,
  // `:` replaced by `-`, ending in the delimiter.
  const std::string& StatsdPrefix() const;
  // `,key=value` per label, sorted by key, line-protocol escaped.
  const std::string& InfluxTags() const;

 private:
  mutable std::string prometheus_labels_;
  mutable int prometheus_filter_ = -1;
  mutable std::string statsd_prefix_;
  mutable std::string influx_tags_;
};

struct Family {
  const MetricDef* def = nullptr;
  // Range of JobLayout::members (group indices).
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct ProcessLayout {
  std::vector<Family> families;
};

struct ClusterLayout {
  std::vector<Group> groups;
  std::vector<uint32_t> members;
  // Parallel to FlinkCluster::processes.
  std::vector<ProcessLayout> processes;
};

// Lays out what `cluster` reports now (`jobs` being the fleet's jobs): each
// process's own metrics, plus those of each job it hosts that is not
// closed; task and operator metrics only while their job is RUNNING, job
// status gauges as `status_metrics` selects, latency histograms only with
// `latency_tracking`.
void BuildLayout(const FlinkCluster& cluster, std::span<const SimJob> jobs,
                 JobStatusMetricSet status_metrics, bool latency_tracking, ClusterLayout* layout);

}  // namespace vitals::sim
