#include "sim/job_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "sim/hashing.h"

namespace vitals::sim {
namespace {

struct OperatorKind {
  std::string_view name;
  double selectivity;
};

// Transformations between the source and the sink, cycled per job. Names
// carry the characters real operator names do (spaces, `/`, `(`, `,`).
constexpr OperatorKind kMiddleOperators[] = {
    {"Map", 1.0},
    {"Filter", 0.8},
    {"Timestamps/Watermarks", 1.0},
    {"KeyedProcess", 1.0},
    {"Window(TumblingEventTimeWindows(60000), EventTimeTrigger, CountAggregate)", 0.05},
    {"Flat Map", 1.5},
};

constexpr std::string_view kTopics[] = {"orders",   "clicks",    "payments",
                                        "sessions", "shipments", "events"};

std::string JobName(const FleetSpec& spec, int index) {
  int width = 3;
  for (int n = spec.jobs - 1; n >= 1000; n /= 10) ++width;
  return absl::StrCat(AsAbsl(spec.job_name_prefix), absl::StrFormat("%0*d", width, index));
}

}  // namespace

double JobModel::NoiseAt(int64_t second, uint64_t key, uint64_t a, uint64_t b) const {
  return Noise(
      HashOf({spec_.seed, static_cast<uint64_t>(job_.index), static_cast<uint64_t>(job_.generation),
              key, static_cast<uint64_t>(second), a, b}));
}

double JobModel::UnitAt(int64_t second, uint64_t key, uint64_t a, uint64_t b) const {
  return (NoiseAt(second, key, a, b) + 1.0) / 2.0;
}

void JobModel::Create(int index) {
  job_.index = index;
  job_.name = JobName(spec_, index);
  job_.topic = std::string(kTopics[index % std::size(kTopics)]);
  const uint64_t job_hash = HashOf({spec_.seed, static_cast<uint64_t>(index), 0x10b});

  // The job graph (and with it operator and vertex ids, which Flink derives
  // from the graph) is the same for every deployment.
  const int num_operators = spec_.operators;
  job_.operators.clear();
  rt_.selectivity.clear();
  for (int o = 0; o < num_operators; ++o) {
    SimOperator op;
    op.id = HexId(HashOf({job_hash, 0x0b, static_cast<uint64_t>(o)}));
    double selectivity = 1.0;
    if (o == 0) {
      op.name = "Source: " + job_.topic;
      op.is_source = true;
    } else if (o == num_operators - 1) {
      op.name = "Sink: Writer";
      selectivity = 0.0;
    } else {
      const OperatorKind& kind = kMiddleOperators[(index + o - 1) % std::size(kMiddleOperators)];
      op.name = std::string(kind.name);
      selectivity = kind.selectivity;
    }
    job_.operators.push_back(std::move(op));
    rt_.selectivity.push_back(selectivity);
  }
  job_.tasks.clear();
  rt_.task_of_operator.assign(num_operators, 0);
  for (int first = 0; first < num_operators; first += spec_.chain_length) {
    SimTask task;
    task.first_operator = first;
    task.num_operators = std::min(spec_.chain_length, num_operators - first);
    for (int o = first; o < first + task.num_operators; ++o) {
      if (o > first) task.name += " -> ";
      task.name += job_.operators[o].name;
      rt_.task_of_operator[o] = static_cast<int>(job_.tasks.size());
    }
    task.id = job_.operators[first].id;
    job_.tasks.push_back(std::move(task));
  }
  const int parallelism = spec_.parallelism;

  rt_.base_rate = spec_.records_per_second * (0.6 + 0.8 * Unit(Mix(job_hash ^ 1)));
  rt_.record_bytes = 120 + std::floor(200 * Unit(Mix(job_hash ^ 2)));
  rt_.base_busy = 80 + 170 * Unit(Mix(job_hash ^ 3));
  rt_.hot_subtask = static_cast<int>(Mix(job_hash ^ 4) % parallelism);
  rt_.ops.assign(static_cast<size_t>(num_operators) * parallelism, {});
  for (int s = 0; s < parallelism; ++s) {
    OperatorSubtaskState& source = rt_.ops[s];
    source.offset =
        1'000'000 + std::floor(9'000'000 * Unit(HashOf({job_hash, 0x0ff, (uint64_t)s})));
    source.committed_offset = source.offset;
  }
  job_.generation = 0;
}

void JobModel::Deploy(const FlinkCluster& cluster, std::vector<int> subtask_process,
                      int64_t at_ms) {
  job_.flink_cluster = cluster.index;
  job_.cluster = cluster.cluster;
  job_.cluster_kind = ClusterKindOf(cluster.cluster).value_or(ClusterKind::kKubernetes);
  job_.version = cluster.version;
  job_.id = HexId(HashOf({spec_.seed, static_cast<uint64_t>(job_.index), 0x1d,
                          static_cast<uint64_t>(job_.generation)}));
  job_.subtask_process = std::move(subtask_process);
  job_.closed = false;
  job_.attempt_number = 0;
  job_.restarts = 0;

  // A new ExecutionGraph: new status timestamps and JobStatusMetrics. The
  // sim's jobs are scheduled the moment they are submitted.
  rt_.now_ms = at_ms;
  rt_.status_entered_ms.fill(0);
  rt_.status_total_ms.fill(0);
  job_.status = JobStatus::kInitializing;
  rt_.status_since_ms = at_ms;
  rt_.status_entered_ms[static_cast<int>(JobStatus::kInitializing)] = at_ms;
  Transition(JobStatus::kCreated, at_ms);
  Transition(JobStatus::kRunning, at_ms);

  rt_.next_checkpoint_ms = at_ms + spec_.checkpoint_interval_ms;
  rt_.next_failure_ms = at_ms + spec_.restart_interval_ms;
  rt_.restart_done_ms = kNever;
  rt_.status_change_ms = kNever;
  rt_.close_ms = kNever;
  // A redeploy restores from the savepoint it was stopped with.
  rt_.restore_timestamp_ms = job_.generation > 0 ? at_ms : -1;
  rt_.completed_checkpoints = 0;
  rt_.failed_checkpoints = 0;
  rt_.in_progress_checkpoints = 0;
  rt_.last_checkpoint_duration_ms = -1;
  rt_.last_checkpoint_size = -1;
  rt_.last_checkpoint_full_size = -1;
  rt_.last_checkpoint_path = "n/a";
  rt_.state_bytes =
      2e7 + std::floor(2e8 * Unit(HashOf({spec_.seed, (uint64_t)job_.index, 0x57a7e})));

  NewAttempts();
  const int parallelism = Parallelism();
  rt_.tasks.assign(job_.tasks.size() * parallelism, {});
  ResetTaskCounters();
  for (int s = 0; s < parallelism; ++s) {
    // Kafka offsets survive the redeploy: the savepoint holds them.
    rt_.ops[s].offset = rt_.ops[s].committed_offset;
  }
  Drive(at_ms);
  layout_dirty_ = true;
}

// ExecutionGraph.transitionState, seen by JobStatusMetrics.jobStatusChanges.
void JobModel::Transition(JobStatus to, int64_t at_ms) {
  rt_.status_total_ms[static_cast<int>(job_.status)] += at_ms - rt_.status_since_ms;
  job_.status = to;
  rt_.status_since_ms = at_ms;
  rt_.status_entered_ms[static_cast<int>(to)] = at_ms;
  // Tasks run only while RUNNING.
  layout_dirty_ = true;
}

void JobModel::NewAttempts() {
  const int parallelism = Parallelism();
  for (size_t t = 0; t < job_.tasks.size(); ++t) {
    SimTask& task = job_.tasks[t];
    task.attempt_ids.resize(parallelism);
    for (int s = 0; s < parallelism; ++s) {
      task.attempt_ids[s] = HexId(HashOf(
          {spec_.seed, static_cast<uint64_t>(job_.index), static_cast<uint64_t>(job_.generation),
           static_cast<uint64_t>(job_.attempt_number), 0xa7, t, static_cast<uint64_t>(s)}));
    }
  }
}

void JobModel::ResetTaskCounters() {
  for (TaskSubtaskState& task : rt_.tasks) {
    task.records_in = task.records_out = task.bytes_in = task.bytes_out = 0;
    task.idle_ms_total = 0;
  }
  for (OperatorSubtaskState& op : rt_.ops) {
    op.records_in = op.records_out = 0;
    op.latency = {};
    op.latency_markers = 0;
  }
}

void JobModel::SetFault(FaultKind kind, bool on) {
  const uint32_t bit = 1u << static_cast<int>(kind);
  const bool was_on = job_.fault_mask & bit;
  job_.fault_mask = on ? (job_.fault_mask | bit) : (job_.fault_mask & ~bit);
  if (kind == FaultKind::kRestarts && on && !was_on && job_.status == JobStatus::kRunning) {
    rt_.next_failure_ms = rt_.now_ms + spec_.restart_interval_ms;
  }
}

absl::Status JobModel::End(JobEnd end, int64_t at_ms) {
  const JobStatus from = job_.status;
  // ExecutionGraph.cancel() and failJob() act on a RUNNING or RESTARTING
  // graph; only running tasks can all finish.
  const bool allowed = end == JobEnd::kFinished
                           ? from == JobStatus::kRunning
                           : from == JobStatus::kRunning || from == JobStatus::kRestarting;
  if (!allowed || job_.closed) {
    return absl::FailedPreconditionError(absl::StrCat(
        job_.name, " is ", AsAbsl(job_.closed ? "closed" : JobStatusName(from)), ": cannot ",
        end == JobEnd::kFinished ? "finish" : (end == JobEnd::kCanceled ? "cancel" : "fail"),
        end == JobEnd::kFinished ? " unless RUNNING" : " unless RUNNING or RESTARTING"));
  }
  rt_.restart_done_ms = kNever;
  rt_.next_failure_ms = kNever;
  switch (end) {
    case JobEnd::kFinished:
      Transition(JobStatus::kFinished, at_ms);
      rt_.close_ms = at_ms + spec_.terminal_linger_ms;
      break;
    case JobEnd::kCanceled:
      Transition(JobStatus::kCancelling, at_ms);
      rt_.status_change_ms = at_ms + spec_.cancel_duration_ms;
      break;
    case JobEnd::kFailed:
      Transition(JobStatus::kFailing, at_ms);
      rt_.status_change_ms = at_ms + spec_.fail_duration_ms;
      break;
  }
  return absl::OkStatus();
}

int64_t JobModel::NextEvent() const {
  if (job_.closed) return kNever;
  if (IsTerminal(job_.status)) return rt_.close_ms;
  switch (job_.status) {
    case JobStatus::kRestarting:
      return rt_.restart_done_ms;
    case JobStatus::kCancelling:
    case JobStatus::kFailing:
      return rt_.status_change_ms;
    case JobStatus::kRunning: {
      int64_t next = rt_.next_checkpoint_ms;
      if (job_.HasFault(FaultKind::kRestarts)) next = std::min(next, rt_.next_failure_ms);
      return next;
    }
    default:
      return kNever;
  }
}

JobEvent JobModel::HandleEvent(int64_t at_ms) {
  if (IsTerminal(job_.status)) {
    // The JobMaster stops and closes the job's metric groups.
    job_.closed = true;
    rt_.close_ms = kNever;
    layout_dirty_ = true;
    return JobEvent::kClosed;
  }
  switch (job_.status) {
    case JobStatus::kRestarting:
      FinishRestart(at_ms);
      return JobEvent::kNone;
    case JobStatus::kCancelling:
    case JobStatus::kFailing:
      Transition(job_.status == JobStatus::kCancelling ? JobStatus::kCanceled : JobStatus::kFailed,
                 at_ms);
      rt_.status_change_ms = kNever;
      rt_.close_ms = at_ms + spec_.terminal_linger_ms;
      return JobEvent::kNone;
    default:
      break;
  }
  if (rt_.next_checkpoint_ms == at_ms) {
    Checkpoint(at_ms);
    return JobEvent::kNone;
  }
  Fail(at_ms);
  return JobEvent::kFailed;
}

void JobModel::Checkpoint(int64_t at_ms) {
  rt_.next_checkpoint_ms += spec_.checkpoint_interval_ms;
  const int64_t second = at_ms / 1000;
  const int64_t total = rt_.completed_checkpoints + rt_.failed_checkpoints + 1;
  if (job_.HasFault(FaultKind::kCheckpointFailure)) {
    // Checkpoints that time out: reported as failed, and the duration gauge
    // shows how long they ran.
    ++rt_.failed_checkpoints;
    rt_.in_progress_checkpoints = 1;
    rt_.last_checkpoint_duration_ms =
        95'000 + static_cast<int64_t>(25'000 * UnitAt(second, kCheckpointKey, 1));
    return;
  }
  ++rt_.completed_checkpoints;
  rt_.in_progress_checkpoints = 0;
  rt_.last_checkpoint_duration_ms =
      150 + static_cast<int64_t>(700 * UnitAt(second, kCheckpointKey, 2));
  rt_.last_checkpoint_size =
      static_cast<int64_t>(rt_.state_bytes * (0.08 + 0.04 * UnitAt(second, kCheckpointKey, 3)));
  rt_.last_checkpoint_full_size = static_cast<int64_t>(rt_.state_bytes);
  rt_.last_checkpoint_path =
      absl::StrCat("s3://flink-checkpoints/", job_.name, "/", job_.id, "/chk-", total);
  for (int s = 0; s < Parallelism(); ++s) rt_.ops[s].committed_offset = rt_.ops[s].offset;
}

// A global failover (DefaultScheduler): RUNNING → RESTARTING, every task
// cancelled, then redeployed as new attempts.
void JobModel::Fail(int64_t at_ms) {
  Transition(JobStatus::kRestarting, at_ms);
  ++job_.restarts;
  rt_.restart_done_ms = at_ms + spec_.restart_duration_ms;
  rt_.next_failure_ms = kNever;
}

void JobModel::FinishRestart(int64_t at_ms) {
  Transition(JobStatus::kRunning, at_ms);
  ++job_.attempt_number;
  rt_.restart_done_ms = kNever;
  rt_.restore_timestamp_ms = at_ms;
  rt_.next_checkpoint_ms = at_ms + spec_.checkpoint_interval_ms;
  rt_.next_failure_ms = at_ms + spec_.restart_interval_ms;
  NewAttempts();
  ResetTaskCounters();
  for (int s = 0; s < Parallelism(); ++s) rt_.ops[s].offset = rt_.ops[s].committed_offset;
}

void JobModel::Integrate(int64_t from_ms, int64_t to_ms) {
  if (to_ms <= from_ms) return;
  const double dt = (to_ms - from_ms) / 1000.0;
  rt_.state_bytes += 5'000 * dt;
  if (job_.status != JobStatus::kRunning) return;
  for (TaskSubtaskState& task : rt_.tasks) {
    task.records_in += task.rate_in * dt;
    task.records_out += task.rate_out * dt;
    task.bytes_in += task.bytes_rate_in * dt;
    task.bytes_out += task.bytes_rate_out * dt;
    task.idle_ms_total += task.idle * dt;
  }
  const int parallelism = Parallelism();
  const bool lagging = job_.HasFault(FaultKind::kSourceLag);
  for (size_t i = 0; i < rt_.ops.size(); ++i) {
    OperatorSubtaskState& op = rt_.ops[i];
    op.records_in += op.rate_in * dt;
    op.records_out += op.rate_out * dt;
    if (static_cast<int>(i) < parallelism) {
      op.offset += op.rate_out * dt;
      if (lagging) {
        // Producers outpace the reader: the backlog and the event-time lag
        // grow (the latter to minutes within a few minutes).
        op.backlog_excess += rt_.base_rate * 0.6 * dt;
        op.emit_lag_excess_ms = std::min(3.6e6, op.emit_lag_excess_ms + 500 * dt);
      } else {
        op.backlog_excess = std::max(0.0, op.backlog_excess - rt_.base_rate * 0.8 * dt);
        op.emit_lag_excess_ms = std::max(0.0, op.emit_lag_excess_ms - 900 * dt);
      }
    } else {
      // One latency marker every 2 s from each source subtask.
      op.latency_markers += parallelism * dt / 2.0;
    }
  }
}

void JobModel::Drive(int64_t at_ms) {
  const int64_t second = at_ms / 1000;
  const bool backpressure = job_.HasFault(FaultKind::kBackpressure);
  DriveOperators(second, backpressure);
  DriveTasks(second, backpressure);
}

void JobModel::DriveOperators(int64_t second, bool backpressure) {
  const int parallelism = Parallelism();
  const int num_operators = static_cast<int>(job_.operators.size());
  const bool skew = job_.HasFault(FaultKind::kSkew) && parallelism > 1;
  // The keyed stage is the second task; a single-task job skews its source.
  const int skew_task = job_.tasks.size() > 1 ? 1 : 0;
  auto share = [&](int task, int s) {
    if (!skew || task != skew_task) return 1.0;
    // The hot key's subtask gets 10x the records of each other subtask.
    return (s == rt_.hot_subtask ? 10.0 : 1.0) * parallelism / (parallelism + 9.0);
  };
  const double rate =
      rt_.base_rate * (1 + 0.03 * NoiseAt(second, kRateKey)) * (backpressure ? 0.35 : 1.0);
  double upstream_total = 0;
  for (int o = 0; o < num_operators; ++o) {
    const int task = rt_.task_of_operator[o];
    const bool head = job_.tasks[task].first_operator == o;
    double total = 0;
    for (int s = 0; s < parallelism; ++s) {
      OperatorSubtaskState& op = rt_.ops[static_cast<size_t>(o) * parallelism + s];
      const double jitter = 1 + 0.02 * NoiseAt(second, kSubtaskRateKey, o, s);
      if (o == 0) {
        op.rate_in = rate * share(task, s) * jitter;
      } else if (head) {
        op.rate_in = upstream_total / parallelism * share(task, s) * jitter;
      } else {
        op.rate_in = rt_.ops[static_cast<size_t>(o - 1) * parallelism + s].rate_out;
      }
      op.rate_out = op.rate_in * rt_.selectivity[o];
      total += op.rate_out;
      if (o == 0) {
        op.backlog_baseline = std::floor(50 + 250 * UnitAt(second, kBacklogKey, s));
        op.emit_lag_baseline_ms = std::floor(250 + 950 * UnitAt(second, kEmitLagKey, s));
      } else {
        const double depth = o;
        const double mean = (4 + 6 * depth) * (backpressure ? 20.0 : 1.0) *
                            (0.9 + 0.2 * UnitAt(second, kLatencyKey, o, s));
        HistogramStats& h = op.latency;
        h.count = static_cast<int64_t>(op.latency_markers);
        h.size = std::min<int64_t>(h.count, 128);
        if (h.count > 0) {
          h.mean = mean;
          h.stddev = mean * 0.35;
          h.min = static_cast<int64_t>(mean * 0.2);
          h.max = static_cast<int64_t>(std::ceil(mean * 4));
          h.p50 = mean * 0.9;
          h.p75 = mean * 1.2;
          h.p95 = mean * 1.8;
          h.p98 = mean * 2.2;
          h.p99 = mean * 2.6;
          h.p999 = mean * 3.5;
        }
      }
    }
    upstream_total = total;
  }
  // Watermarks trail the source's event-time lag.
  for (int o = 0; o < num_operators; ++o) {
    for (int s = 0; s < parallelism; ++s) {
      const OperatorSubtaskState& source = rt_.ops[s];
      rt_.ops[static_cast<size_t>(o) * parallelism + s].watermark_ms =
          static_cast<double>(second * 1000) - source.emit_lag_baseline_ms -
          source.emit_lag_excess_ms - 2000 - 50 * o;
    }
  }
}

void JobModel::DriveTasks(int64_t second, bool backpressure) {
  const int parallelism = Parallelism();
  const int num_tasks = static_cast<int>(job_.tasks.size());
  const bool skew = job_.HasFault(FaultKind::kSkew);
  const int skew_task = num_tasks > 1 ? 1 : 0;
  const int bottleneck = num_tasks - 1;
  for (int t = 0; t < num_tasks; ++t) {
    const SimTask& spec_task = job_.tasks[t];
    const int head = spec_task.first_operator;
    const int tail = head + spec_task.num_operators - 1;
    for (int s = 0; s < parallelism; ++s) {
      TaskSubtaskState& task = rt_.tasks[static_cast<size_t>(t) * parallelism + s];
      task.rate_in = rt_.ops[static_cast<size_t>(head) * parallelism + s].rate_in;
      task.rate_out = rt_.ops[static_cast<size_t>(tail) * parallelism + s].rate_out;
      task.bytes_rate_in = t == 0 ? 0 : task.rate_in * rt_.record_bytes;
      task.bytes_rate_out = task.rate_out * rt_.record_bytes;

      double busy = rt_.base_busy * (0.9 + 0.2 * UnitAt(second, kBusyKey, t, s));
      if (skew && t == skew_task && s == rt_.hot_subtask) busy = std::min(600.0, busy * 3);
      double backpressured = std::floor(8 * UnitAt(second, kBackpressureKey, t, s));
      double out_pool = 0.02 + 0.13 * UnitAt(second, kOutPoolKey, t, s);
      double in_pool = t == 0 ? 0.0 : 0.02 + 0.13 * UnitAt(second, kInPoolKey, t, s);
      double start_delay = 1e5 + 1.9e6 * UnitAt(second, kStartDelayKey, t, s);
      if (backpressure) {
        if (t == bottleneck) {
          busy = 965 + 30 * UnitAt(second, kBusyKey, t, s);
          backpressured = 0;
          in_pool = 0.95 + 0.05 * UnitAt(second, kInPoolKey, t, s);
        } else {
          busy = 60 + 80 * UnitAt(second, kBusyKey, t, s);
          backpressured = std::floor(600 + 300 * UnitAt(second, kBackpressureKey, t, s));
          out_pool = 0.97 + 0.03 * UnitAt(second, kOutPoolKey, t, s);
        }
        // Barriers queue behind full buffers downstream of the source.
        if (t > 0) start_delay = 5e9 + 2.5e10 * UnitAt(second, kStartDelayKey, t, s);
      }
      // Flink measures idle and back-pressured time in whole milliseconds
      // and reports busy as the rest of the second.
      task.backpressured = backpressured;
      task.idle = std::max(0.0, std::floor(1000 - busy - backpressured));
      task.busy = std::max(0.0, 1000 - task.idle - task.backpressured);
      task.is_backpressured = backpressured > 100;
      task.out_pool = out_pool;
      task.in_pool = in_pool;
      task.start_delay_ns = std::floor(start_delay);
    }
  }
}

}  // namespace vitals::sim
