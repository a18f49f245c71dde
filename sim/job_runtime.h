#pragma once

// Internal to the simulator: the quantities behind the metrics of one job
// and of the processes of one Flink cluster. Counters are kept as doubles
// (rate × elapsed) and reported floored, so they are exact integrals of the
// piecewise-constant rates.

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/job_status.h"
#include "sim/layout.h"
#include "sim/reading.h"

namespace vitals::sim {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// Keys that separate the noise streams of different quantities.
enum NoiseKey : uint64_t {
  kRateKey = 1,
  kSubtaskRateKey,
  kBusyKey,
  kBackpressureKey,
  kOutPoolKey,
  kInPoolKey,
  kStartDelayKey,
  kCpuKey,
  kGcKey,
  kHeapKey,
  kNonHeapKey,
  kThreadsKey,
  kSegmentsKey,
  kBacklogKey,
  kEmitLagKey,
  kLatencyKey,
  kCheckpointKey,
};

// One JVM.
struct ProcessState {
  int slots = 0;
  int cores = 1;
  double cpu_load = 0;
  double cpu_time_ns = 0;
  double heap_used = 0;
  double heap_committed = 0;
  double heap_max = 0;
  double nonheap_used = 0;
  double nonheap_committed = 0;
  double threads = 0;
  double classes_loaded = 0;
  // Per collector: 0 young, 1 old.
  double gc_count[2] = {0, 0};
  double gc_time_ms[2] = {0, 0};
  double gc_count_rate[2] = {0, 0};
  double gc_time_rate[2] = {0, 0};
  double managed_used = 0;
  double managed_total = 0;
  double segments_available = 0;
  double segments_total = 0;
};

struct TaskSubtaskState {
  double records_in = 0;
  double records_out = 0;
  double bytes_in = 0;
  double bytes_out = 0;
  double idle_ms_total = 0;
  double rate_in = 0;
  double rate_out = 0;
  double bytes_rate_in = 0;
  double bytes_rate_out = 0;
  double busy = 0;
  double idle = 0;
  double backpressured = 0;
  bool is_backpressured = false;
  double in_pool = 0;
  double out_pool = 0;
  double start_delay_ns = 0;
};

struct OperatorSubtaskState {
  double records_in = 0;
  double records_out = 0;
  double rate_in = 0;
  double rate_out = 0;
  double watermark_ms = 0;
  // Sources: backlog and event-time lag beyond the healthy baseline, which
  // grow under FaultKind::kSourceLag and drain after it.
  double backlog_baseline = 0;
  double backlog_excess = 0;
  double emit_lag_baseline_ms = 0;
  double emit_lag_excess_ms = 0;
  double offset = 0;
  double committed_offset = 0;
  // Non-sources: the latency marker histogram.
  HistogramStats latency;
  double latency_markers = 0;
};

struct JobRuntime {
  int64_t now_ms = 0;
  // When the current status was entered.
  int64_t status_since_ms = 0;
  // ExecutionGraph.getStatusTimestamp: when each status was last entered
  // (0: never), which UpTimeGauge and DownTimeGauge read.
  std::array<int64_t, kNumJobStatuses> status_entered_ms = {};
  // JobStatusMetrics' cumulativeStatusTimes: ms spent in each status over
  // the stints that ended.
  std::array<int64_t, kNumJobStatuses> status_total_ms = {};
  int64_t next_checkpoint_ms = 0;
  int64_t next_failure_ms = 0;
  int64_t restart_done_ms = 0;
  // CANCELLING → CANCELED, FAILING → FAILED.
  int64_t status_change_ms = kNever;
  // A terminal job's metric groups close.
  int64_t close_ms = kNever;
  int64_t restore_timestamp_ms = -1;

  int64_t completed_checkpoints = 0;
  int64_t failed_checkpoints = 0;
  int64_t in_progress_checkpoints = 0;
  int64_t last_checkpoint_duration_ms = -1;
  int64_t last_checkpoint_size = -1;
  int64_t last_checkpoint_full_size = -1;
  std::string last_checkpoint_path = "n/a";
  double state_bytes = 0;

  // Per job, fixed at creation.
  double base_rate = 0;
  double record_bytes = 0;
  double base_busy = 0;
  int hot_subtask = 0;
  std::vector<double> selectivity;  // per operator
  std::vector<int> task_of_operator;

  std::vector<TaskSubtaskState> tasks;    // [task * P + subtask]
  std::vector<OperatorSubtaskState> ops;  // [operator * P + subtask]
};

struct ClusterRuntime {
  int64_t now_ms = 0;
  // Deployments of the cluster so far (application mode: the job's redeploys).
  int generation = 0;
  std::vector<ProcessState> processes;  // parallel to FlinkCluster::processes

  // Naming counters of the current deployment.
  int process_serial = 0;
  int next_tm_number = 1;
  int next_container = 2;
  int yarn_application = 1;

  ClusterLayout layout;
  bool layout_dirty = true;
};

}  // namespace vitals::sim
