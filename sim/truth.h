#pragma once

// Ground truth for tests and the load generator: every value the renderers
// write, in Flink's terms, read from the same model they read.

#include <cstddef>
#include <span>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "sim/fleet.h"

namespace vitals::sim {

struct TruthSample {
  // The job of a job-scoped series (jobmanager_job, taskmanager_job, task,
  // operator scopes); -1 for a process's own series (jobmanager,
  // taskmanager scopes), which belong to the process and so to every job
  // of its Flink cluster (FlinkCluster::jobs, but for the closed ones).
  int job = 0;
  // Index into Fleet::flink_clusters() and into its processes (the same
  // index as into SimJob::processes).
  int flink_cluster = 0;
  int process = 0;
  const MetricDef* def = nullptr;
  // Flink variables, values unfiltered. Valid until the fleet next changes.
  // JobManager-scope metrics carry only <host>: two JobManagers on one Yarn
  // host report identical series, told apart only by `flink_cluster` and
  // `process` here and by the push group or scrape target on the wire, as
  // with real Flink.
  std::span<const Label> labels;
  Reading reading;
};

// Visits every metric instance the fleet currently reports, process by
// process, family by family: the order of the rendered payloads.
void ForEachSample(const Fleet& fleet, absl::FunctionRef<void(const TruthSample&)> visit);

// Visits what job `job_index` is seen to report: its own series and the
// process-scope series of its Flink cluster's processes (none once it is
// closed).
void ForEachSampleOf(const Fleet& fleet, int job_index,
                     absl::FunctionRef<void(const TruthSample&)> visit);

// Sum over the instances ForEachSampleOf visits of one metric, by scope and
// canonical name (Prometheus family minus `flink_<scope>_`): the value
// PrometheusReporter writes (Reading::number). Zero when absent.
double SumOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical);

// Instances of that metric (0 when absent).
size_t CountOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical);

// Metric instances currently reported by the whole fleet (a histogram
// counts once here, though it renders as several samples).
size_t InstanceCount(const Fleet& fleet);

}  // namespace vitals::sim
