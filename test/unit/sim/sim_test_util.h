#pragma once

// Test-only helpers: building fleets and reading the dimensions a scorer
// would judge straight from the simulator's ground truth.

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "sim/truth.h"

namespace vitals::sim::testing {

inline Fleet MakeFleet(FleetSpec spec) {
  auto fleet = Fleet::Create(std::move(spec));
  EXPECT_TRUE(fleet.ok()) << fleet.status();
  return std::move(fleet).value();
}

inline std::string LabelOf(const TruthSample& sample, std::string_view name) {
  for (const Label& label : sample.labels) {
    if (label.name == name) return label.value;
  }
  return "";
}

// Every instance of one metric that job `job` is seen to report (its own,
// and its processes' own).
inline std::vector<TruthSample> SamplesOf(const Fleet& fleet, int job, Scope scope,
                                          std::string_view canonical) {
  std::vector<TruthSample> out;
  ForEachSampleOf(fleet, job, [&](const TruthSample& sample) {
    if (sample.def->scope == scope && sample.def->canonical == canonical) out.push_back(sample);
  });
  return out;
}

// The value of a job-scoped metric of job `job` (NaN when it reports none).
inline double JobGauge(const Fleet& fleet, int job, std::string_view canonical) {
  std::vector<TruthSample> samples = SamplesOf(fleet, job, Scope::kJobManagerJob, canonical);
  EXPECT_LE(samples.size(), 1u) << canonical;
  return samples.empty() ? std::nan("") : samples[0].reading.number;
}

inline double MaxOf(const Fleet& fleet, int job, Scope scope, std::string_view canonical) {
  double max = 0;
  for (const TruthSample& s : SamplesOf(fleet, job, scope, canonical)) {
    max = std::max(max, s.reading.number);
  }
  return max;
}

inline double MinOf(const Fleet& fleet, int job, Scope scope, std::string_view canonical) {
  double min = 1e300;
  for (const TruthSample& s : SamplesOf(fleet, job, scope, canonical)) {
    min = std::min(min, s.reading.number);
  }
  return min;
}

// What each health dimension would read at one moment.
struct Health {
  double max_backpressured = 0;
  double max_busy = 0;
  double max_out_pool = 0;
  double source_rate = 0;
  double completed = 0;
  double failed = 0;
  double restarts = 0;
  double last_checkpoint_duration = 0;
  double max_cpu_load = 0;
  double min_cpu_load = 0;
  // tm_id → Σ GC time (ms) over collectors.
  std::map<std::string, double> gc_time;
  double max_pending = 0;
  double max_emit_lag = 0;
  // Flink's skew%: mean(|x - mean|) / mean * 100 over the keyed operator's
  // subtask numRecordsInPerSecond.
  double skew_percent = 0;
  std::vector<double> keyed_rates;
};

inline Health Measure(const Fleet& fleet, int job) {
  Health h;
  h.max_backpressured = MaxOf(fleet, job, Scope::kTask, "backPressuredTimeMsPerSecond");
  h.max_busy = MaxOf(fleet, job, Scope::kTask, "busyTimeMsPerSecond");
  h.max_out_pool = MaxOf(fleet, job, Scope::kTask, "Shuffle_Netty_Output_Buffers_outPoolUsage");
  const SimJob& sim_job = fleet.jobs()[job];
  const std::string& source_id = sim_job.operators[0].id;
  const int keyed = sim_job.tasks.size() > 1 ? sim_job.tasks[1].first_operator : 0;
  const std::string& keyed_id = sim_job.operators[keyed].id;
  h.keyed_rates.assign(sim_job.parallelism(), 0);
  for (const TruthSample& s : SamplesOf(fleet, job, Scope::kOperator, "numRecordsInPerSecond")) {
    if (LabelOf(s, "operator_id") == source_id) h.source_rate += s.reading.number;
    if (LabelOf(s, "operator_id") == keyed_id) {
      h.keyed_rates[std::stoi(LabelOf(s, "subtask_index"))] = s.reading.number;
    }
  }
  double mean = 0;
  for (double r : h.keyed_rates) mean += r / h.keyed_rates.size();
  if (mean > 0) {
    double dev = 0;
    for (double r : h.keyed_rates) dev += std::abs(r - mean) / h.keyed_rates.size();
    h.skew_percent = std::min(100.0, dev / mean * 100);
  }
  h.completed = MaxOf(fleet, job, Scope::kJobManagerJob, "numberOfCompletedCheckpoints");
  h.failed = MaxOf(fleet, job, Scope::kJobManagerJob, "numberOfFailedCheckpoints");
  h.restarts = MaxOf(fleet, job, Scope::kJobManagerJob, "numRestarts");
  h.last_checkpoint_duration = MaxOf(fleet, job, Scope::kJobManagerJob, "lastCheckpointDuration");
  h.max_cpu_load = MaxOf(fleet, job, Scope::kTaskManager, "Status_JVM_CPU_Load");
  h.min_cpu_load = MinOf(fleet, job, Scope::kTaskManager, "Status_JVM_CPU_Load");
  ForEachSampleOf(fleet, job, [&](const TruthSample& s) {
    if (s.def->scope != Scope::kTaskManager) return;
    const std::string& name = s.def->canonical;
    if (name.rfind("Status_JVM_GarbageCollector_", 0) == 0 && name.size() > 5 &&
        name.compare(name.size() - 5, 5, "_Time") == 0 && name.find("_All_") == std::string::npos) {
      h.gc_time[LabelOf(s, "tm_id")] += s.reading.number;
    }
  });
  h.max_pending = MaxOf(fleet, job, Scope::kOperator, "pendingRecords");
  h.max_emit_lag = MaxOf(fleet, job, Scope::kOperator, "currentEmitEventTimeLag");
  return h;
}

// The highest per-TaskManager GC time rate (ms/s) between two moments,
// over TaskManagers alive at both.
inline double MaxGcRate(const Health& before, const Health& after, double seconds) {
  double max = 0;
  for (const auto& [tm, time] : after.gc_time) {
    auto it = before.gc_time.find(tm);
    if (it != before.gc_time.end()) max = std::max(max, (time - it->second) / seconds);
  }
  return max;
}

}  // namespace vitals::sim::testing
