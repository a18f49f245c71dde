#pragma once

// Which metric instances each process of a job currently reports: the
// metric groups (with their Flink variables) and, per process, the
// families (one MetricDef each) with the groups that carry them. Rebuilt
// only when the job's topology or identities change; renderers walk it.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/metric_catalog.h"
#include "sim/reading.h"

namespace vitals::sim {

struct SimJob;

// One metric group instance (e.g. operator 2, subtask 5) with its
// variables, and per-format strings built on first use.
class Group {
 public:
  GroupKind kind = GroupKind::kJobManager;
  bool is_source = false;
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

struct JobLayout {
  std::vector<Group> groups;
  std::vector<uint32_t> members;
  // Parallel to SimJob::processes.
  std::vector<ProcessLayout> processes;
};

// Lays out what `job` reports now: task and operator metrics only while it
// is RUNNING, latency histograms only with `latency_tracking`.
void BuildLayout(const SimJob& job, bool latency_tracking, JobLayout* layout);

}  // namespace vitals::sim
