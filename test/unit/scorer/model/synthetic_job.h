#pragma once

// A synthetic Flink job for scorer tests and benchmarks: what the gateways
// of a few nodes would publish for one interval of a job with a Kafka
// source, a few operators and a sink, in the metric naming of a given Flink
// version. Every health knob defaults to a healthy job; a test turns one
// knob to inject a fault. Counters are derived from the interval's position
// in time, so consecutive intervals add up like a real cumulative counter.
// Whether a given interval restarts or a given checkpoint fails comes from a
// fixed low-discrepancy sequence compared with the knob's probability, so
// raising a probability only ever adds restarts or failures.

#include <cstdint>
#include <string>
#include <vector>

#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer::testing {

enum class FlinkNaming {
  // Job state as Flink 1.15+ sends it by default (metrics.job.status.enable:
  // CURRENT_TIME): `runningTime`, `restartingTime`, … in JobStatusMetrics'
  // lower-case spelling. Before 1.15: uptime and downtime.
  k120,  // All.TimeMsPerSecond, backPressuredTimeMsPerSecond, <status>Time, pendingRecords
  k118,  // GC collector counters, backPressuredTimeMsPerSecond, <status>Time, pendingRecords
  k112,  // GC collector counters, isBackPressured, 1000 − idle, uptime, records-lag-max
  k110,  // fullRestarts, isBackPressured only, uptime, legacy records-lag-max
};

struct SyntheticJob {
  std::string job_name = "orders-enrichment";
  std::string job_id = "7d3c1b2a9e8f40c1a2b3c4d5e6f70819";
  std::string cluster = "k8s-prod-eu";
  FlinkNaming naming = FlinkNaming::k120;
  int operators = 5;  // operator 0 is the source, the last the sink
  int parallelism = 8;
  int taskmanagers = 4;
  int gateways = 2;
  int64_t interval_ms = 10'000;

  double input_rate = 1000;          // records/s per source subtask
  double restarts_per_interval = 0;  // probability of a restart per interval
  bool running = true;               // else RESTARTING, since `state_since_ms`
  int64_t state_since_ms = 1'600'000'000'000;
  double checkpoint_every_ms = 30'000;  // 0: no checkpoint attempts
  double checkpoint_failed_share = 0;   // probability per attempt
  double checkpoint_duration_ms = 1'500;
  double restore_timestamp_ms = -1;  // lastCheckpointRestoreTimestamp
  double gc_share = 0.02;            // worst TaskManager
  double cpu_load = 0.35;            // worst TaskManager
  double backpressure = 0;           // ratio of the backpressured tasks
  int backpressured_tasks = 1;       // tasks from the source on
  double busy = 0.3;
  double skew_factor = 1;      // rate multiplier of one subtask of operator 1
  double pending_records = 0;  // per source subtask
  double event_time_lag_ms = 500;
  double sink_errors_per_s = 0;  // numRecordsOutErrors of the sink, job-wide
};

// One MetricBatch per gateway for the interval starting at `start_ms`.
std::vector<v1::MetricBatch> MakeInterval(const SyntheticJob& job, int64_t start_ms);

}  // namespace vitals::scorer::testing
