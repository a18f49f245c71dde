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
  int job = 0;
  // Index into SimJob::processes.
  int process = 0;
  const MetricDef* def = nullptr;
  // Flink variables, values unfiltered. Valid until the fleet next changes.
  // JobManager-scope metrics carry only <host>: two JobManagers on one Yarn
  // host report identical series, told apart only by `job`/`process` here
  // and by the push group or scrape target on the wire, as with real Flink.
  std::span<const Label> labels;
  Reading reading;
};

// Visits every metric instance the fleet currently reports, process by
// process, family by family.
void ForEachSample(const Fleet& fleet, absl::FunctionRef<void(const TruthSample&)> visit);

// Sum over all instances of job `job_index` of one metric, by scope and
// canonical name (Prometheus family minus `flink_<scope>_`): the value
// PrometheusReporter writes (Reading::number). Zero when absent.
double SumOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical);

// Instances of that metric (0 when absent).
size_t CountOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical);

// Metric instances currently reported by the whole fleet (a histogram
// counts once here, though it renders as several samples).
size_t InstanceCount(const Fleet& fleet);

}  // namespace vitals::sim
