#include "sim/read_metric.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vitals::sim {
namespace {

// Raw value of a field: the cumulative or instantaneous quantity, plus the
// per-second rate for fields that back a Meter.
struct Raw {
  double value = 0;
  double rate = 0;
  bool flag = false;
  std::string_view text = {};
  const HistogramStats* histogram = nullptr;
};

Raw Gc(const ProcessState& p, int collector, bool count) {
  if (collector == 2) {
    return count ? Raw{.value = std::floor(p.gc_count[0]) + std::floor(p.gc_count[1])}
                 : Raw{.value = std::floor(p.gc_time_ms[0]) + std::floor(p.gc_time_ms[1]),
                       .rate = p.gc_time_rate[0] + p.gc_time_rate[1]};
  }
  return count ? Raw{.value = p.gc_count[collector]}
               : Raw{.value = p.gc_time_ms[collector], .rate = p.gc_time_rate[collector]};
}

// Dispatcher's numRunningJobs counts its JobManagerRunners: a job's stays
// registered until the job is cleaned up after reaching a terminal status,
// which the sim takes to be when its metric groups close.
Raw ReadCluster(const FlinkCluster& cluster, const ClusterRuntime& crt,
                std::span<const SimJob> jobs, const MetricDef& def) {
  switch (def.field) {
    case Field::kRegisteredTaskManagers:
      return {.value = static_cast<double>(cluster.processes.size() - 1)};
    case Field::kRunningJobs: {
      double open = 0;
      for (int j : cluster.jobs) open += jobs[j].closed ? 0 : 1;
      return {.value = open};
    }
    case Field::kSlotsTotal:
    case Field::kSlotsAvailable: {
      double total = 0;
      for (const ProcessState& p : crt.processes) total += p.slots;
      if (def.field == Field::kSlotsTotal) return {.value = total};
      // A job holds its slots until it reaches a terminal status.
      double used = 0;
      for (int j : cluster.jobs) {
        if (!jobs[j].closed && !IsTerminal(jobs[j].status)) used += jobs[j].parallelism();
      }
      return {.value = total - used};
    }
    default:
      return {};
  }
}

// JobStatusMetrics' gauges for status `param`.
Raw ReadStatus(const SimJob& job, const JobRuntime& rt, const MetricDef& def) {
  const bool current = static_cast<int>(job.status) == def.param;
  const int64_t stint = current ? std::max<int64_t>(rt.now_ms - rt.status_since_ms, 0) : 0;
  switch (def.field) {
    case Field::kStatusState:
      return {.value = current ? 1.0 : 0.0};
    case Field::kStatusTime:
      return {.value = static_cast<double>(stint)};
    case Field::kStatusTimeTotal:
      return {.value = static_cast<double>(rt.status_total_ms[def.param] + stint)};
    default:
      return {};
  }
}

// UpTimeGauge: ms since RUNNING while RUNNING, -1 once terminal, else 0.
// DownTimeGauge: -1 once terminal; else ms since FAILING if FAILING was
// entered after RUNNING last was, else 0 (a RESTARTING stint the job did
// not go through FAILING for reads 0).
Raw ReadUpDown(const SimJob& job, const JobRuntime& rt, const MetricDef& def) {
  if (IsTerminal(job.status)) return {.value = -1};
  const int64_t running = rt.status_entered_ms[static_cast<int>(JobStatus::kRunning)];
  if (def.field == Field::kUptime) {
    if (job.status != JobStatus::kRunning) return {.value = 0};
    return {.value = static_cast<double>(std::max<int64_t>(rt.now_ms - running, 0))};
  }
  const int64_t failing = rt.status_entered_ms[static_cast<int>(JobStatus::kFailing)];
  if (failing <= running) return {.value = 0};
  return {.value = static_cast<double>(std::max<int64_t>(rt.now_ms - failing, 0))};
}

Raw ReadProcess(const ProcessState& process, const MetricDef& def) {
  switch (def.field) {
    case Field::kCpuLoad:
      return {.value = process.cpu_load};
    case Field::kCpuTime:
      return {.value = process.cpu_time_ns};
    case Field::kHeapUsed:
      return {.value = process.heap_used};
    case Field::kHeapCommitted:
      return {.value = process.heap_committed};
    case Field::kHeapMax:
      return {.value = process.heap_max};
    case Field::kNonHeapUsed:
      return {.value = process.nonheap_used};
    case Field::kNonHeapCommitted:
      return {.value = process.nonheap_committed};
    case Field::kNonHeapMax:
      return {.value = -1};
    case Field::kThreads:
      return {.value = process.threads};
    case Field::kClassesLoaded:
      return {.value = process.classes_loaded};
    case Field::kGcCount:
      return Gc(process, def.param, true);
    case Field::kGcTime:
      return Gc(process, def.param, false);
    case Field::kManagedUsed:
      return {.value = process.managed_used};
    case Field::kManagedTotal:
      return {.value = process.managed_total};
    case Field::kSegmentsAvailable:
      return {.value = process.segments_available};
    case Field::kSegmentsTotal:
      return {.value = process.segments_total};
    default:
      return {};
  }
}

Raw ReadJob(const SimJob& job, const JobRuntime& rt, const Group& group, const MetricDef& def) {
  const int parallelism = job.parallelism();
  const int64_t now = rt.now_ms;
  auto task = [&]() -> const TaskSubtaskState& {
    return rt.tasks[static_cast<size_t>(group.task) * parallelism + group.subtask];
  };
  auto op = [&]() -> const OperatorSubtaskState& {
    return rt.ops[static_cast<size_t>(group.op) * parallelism + group.subtask];
  };
  switch (def.field) {
    case Field::kRestarts:
      return {.value = static_cast<double>(job.restarts)};
    case Field::kUptime:
    case Field::kDowntime:
      return ReadUpDown(job, rt, def);
    case Field::kStatusState:
    case Field::kStatusTime:
    case Field::kStatusTimeTotal:
      return ReadStatus(job, rt, def);
    case Field::kCompletedCheckpoints:
      return {.value = static_cast<double>(rt.completed_checkpoints)};
    case Field::kFailedCheckpoints:
      return {.value = static_cast<double>(rt.failed_checkpoints)};
    case Field::kInProgressCheckpoints:
      return {.value = static_cast<double>(rt.in_progress_checkpoints)};
    case Field::kTotalCheckpoints:
      return {.value = static_cast<double>(rt.completed_checkpoints + rt.failed_checkpoints +
                                           rt.in_progress_checkpoints)};
    case Field::kLastCheckpointDuration:
      return {.value = static_cast<double>(rt.last_checkpoint_duration_ms)};
    case Field::kLastCheckpointSize:
      return {.value = static_cast<double>(rt.last_checkpoint_size)};
    case Field::kLastCheckpointFullSize:
      return {.value = static_cast<double>(rt.last_checkpoint_full_size)};
    case Field::kLastCheckpointRestoreTimestamp:
      return {.value = static_cast<double>(rt.restore_timestamp_ms)};
    case Field::kLastCheckpointExternalPath:
      return {.text = rt.last_checkpoint_path};
    case Field::kTaskRecordsIn:
      return {.value = task().records_in, .rate = task().rate_in};
    case Field::kTaskRecordsOut:
      return {.value = task().records_out, .rate = task().rate_out};
    case Field::kTaskBytesIn:
      return {.value = task().bytes_in, .rate = task().bytes_rate_in};
    // Flink 1.10 splits input bytes by channel locality; a quarter local.
    case Field::kTaskBytesInLocal:
      return {.value = task().bytes_in * 0.25, .rate = task().bytes_rate_in * 0.25};
    case Field::kTaskBytesInRemote:
      return {.value = task().bytes_in * 0.75, .rate = task().bytes_rate_in * 0.75};
    case Field::kTaskBytesOut:
      return {.value = task().bytes_out, .rate = task().bytes_rate_out};
    case Field::kBusy:
      return {.value = task().busy};
    case Field::kIdle:
      // 1.11–1.12 (the Meter) counts back-pressured time as idle.
      if (def.type == MetricType::kMeter) {
        const double idle = task().idle + task().backpressured;
        return {.value = task().idle_ms_total, .rate = idle};
      }
      return {.value = task().idle};
    case Field::kBackPressured:
      return {.value = task().backpressured};
    case Field::kSoftBackPressured:
      return {.value = std::floor(task().backpressured * 0.7)};
    case Field::kHardBackPressured:
      return {.value = task().backpressured - std::floor(task().backpressured * 0.7)};
    case Field::kIsBackPressured:
      return {.flag = task().is_backpressured};
    case Field::kInPoolUsage:
      return {.value = task().in_pool};
    case Field::kOutPoolUsage:
      return {.value = task().out_pool};
    case Field::kCheckpointStartDelay:
      return {.value = task().start_delay_ns};
    case Field::kOpRecordsIn:
      return {.value = op().records_in, .rate = op().rate_in};
    case Field::kOpRecordsOut:
      return {.value = op().records_out, .rate = op().rate_out};
    case Field::kOutputWatermark:
      return {.value = op().watermark_ms};
    case Field::kRecordsLagMax:
      // The Kafka client has no lag sample until its first fetches.
      if (now - rt.status_entered_ms[static_cast<int>(JobStatus::kRunning)] < 5'000) {
        return {.value = std::numeric_limits<double>::quiet_NaN()};
      }
      return {.value = op().backlog_baseline + std::floor(op().backlog_excess)};
    case Field::kPendingRecords:
      return {.value = op().backlog_baseline + std::floor(op().backlog_excess)};
    case Field::kEmitEventTimeLag:
      return {.value = op().emit_lag_baseline_ms + std::floor(op().emit_lag_excess_ms)};
    case Field::kCurrentOffset:
      return {.value = op().offset};
    case Field::kCommittedOffset:
      return {.value = op().committed_offset};
    case Field::kLatency:
      return {.histogram = &op().latency};
    default:
      return {};
  }
}

Raw ReadRaw(const FlinkCluster& cluster, const ClusterRuntime& crt, std::span<const SimJob> jobs,
            std::span<const JobRuntime> job_rts, const Group& group, const MetricDef& def) {
  if (group.job >= 0) return ReadJob(jobs[group.job], job_rts[group.job], group, def);
  switch (def.field) {
    case Field::kRegisteredTaskManagers:
    case Field::kRunningJobs:
    case Field::kSlotsTotal:
    case Field::kSlotsAvailable:
      return ReadCluster(cluster, crt, jobs, def);
    default:
      return ReadProcess(crt.processes[group.process], def);
  }
}

}  // namespace

Reading ReadMetric(const FlinkCluster& cluster, const ClusterRuntime& cluster_runtime,
                   std::span<const SimJob> jobs, std::span<const JobRuntime> job_runtimes,
                   const Group& group, const MetricDef& def) {
  const Raw raw = ReadRaw(cluster, cluster_runtime, jobs, job_runtimes, group, def);
  Reading reading;
  switch (def.type) {
    case MetricType::kCounter:
      reading.integer = static_cast<int64_t>(std::floor(raw.value));
      reading.number = static_cast<double>(reading.integer);
      break;
    case MetricType::kMeter:
      reading.integer = static_cast<int64_t>(std::floor(raw.value));
      reading.number = raw.rate;
      break;
    case MetricType::kHistogram:
      reading.histogram = raw.histogram;
      reading.integer = raw.histogram->count;
      reading.number = static_cast<double>(raw.histogram->count);
      break;
    case MetricType::kGauge:
      switch (def.kind) {
        case ValueKind::kLong:
          reading.integer = static_cast<int64_t>(std::floor(raw.value));
          reading.number = static_cast<double>(reading.integer);
          break;
        case ValueKind::kDouble:
          reading.number = raw.value;
          break;
        case ValueKind::kFloat:
          reading.number = static_cast<double>(static_cast<float>(raw.value));
          break;
        case ValueKind::kBool:
          reading.flag = raw.flag;
          reading.number = raw.flag ? 1 : 0;
          break;
        case ValueKind::kString:
          reading.text = raw.text;
          reading.number = 0;
          break;
      }
      break;
  }
  return reading;
}

}  // namespace vitals::sim
