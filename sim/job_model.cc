#include "sim/job_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "sim/hashing.h"

namespace vitals::sim {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

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

constexpr char kPodSuffixChars[] = "bcdfghjklmnpqrstvwxz2456789";

std::string PodSuffix(uint64_t h, int length) {
  std::string out;
  for (int i = 0; i < length; ++i) {
    out.push_back(kPodSuffixChars[h % (sizeof(kPodSuffixChars) - 1)]);
    h /= (sizeof(kPodSuffixChars) - 1);
  }
  return out;
}

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

void JobModel::Create(int index, std::string_view cluster) {
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
  const int slots = (parallelism + spec_.task_managers - 1) / spec_.task_managers;
  job_.subtask_process.resize(parallelism);
  for (int s = 0; s < parallelism; ++s) job_.subtask_process[s] = 1 + s / slots;

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
  Deploy(cluster, spec_.version, spec_.start_ms);
}

void JobModel::Redeploy(std::string_view cluster, FlinkVersion version,
                        std::vector<RetiredProcess>* retired) {
  for (const SimProcess& process : job_.processes) {
    retired->push_back({job_.index, job_.name, job_.cluster, process});
  }
  ++job_.generation;
  Deploy(cluster, version, rt_.now_ms);
}

void JobModel::Deploy(std::string_view cluster, FlinkVersion version, int64_t at_ms) {
  job_.cluster = std::string(cluster);
  job_.cluster_kind = ClusterKindOf(cluster).value_or(ClusterKind::kKubernetes);
  job_.version = version;
  job_.id = HexId(HashOf({spec_.seed, static_cast<uint64_t>(job_.index), 0x1d,
                          static_cast<uint64_t>(job_.generation)}));
  job_.status = JobStatus::kRunning;
  job_.attempt_number = 0;
  job_.restarts = 0;

  rt_.process_serial = 0;
  rt_.next_tm_number = 1;
  rt_.next_container = 2;
  rt_.yarn_application =
      1 + static_cast<int>(
              HashOf({spec_.seed, (uint64_t)job_.index, (uint64_t)job_.generation, 0xa99}) % 9999);
  // Each deployment lands one node further on; processes of a job spread
  // over consecutive nodes.
  const int per_job = spec_.task_managers + 1;
  job_.processes.clear();
  rt_.processes.clear();
  for (int p = 0; p < per_job; ++p) {
    const int node = static_cast<int>(
        (static_cast<int64_t>(job_.index) * per_job + p + job_.generation) % spec_.nodes);
    const ProcessKind kind = p == 0 ? ProcessKind::kJobManager : ProcessKind::kTaskManager;
    job_.processes.push_back(NewProcess(kind, node, at_ms));
    rt_.processes.push_back(NewProcessState(kind));
  }

  rt_.now_ms = at_ms;
  rt_.status_since_ms = at_ms;
  rt_.running_since_ms = at_ms;
  rt_.next_checkpoint_ms = at_ms + spec_.checkpoint_interval_ms;
  rt_.next_failure_ms = at_ms + spec_.restart_interval_ms;
  rt_.restart_done_ms = kNever;
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
  rt_.layout_dirty = true;
}

SimProcess JobModel::NewProcess(ProcessKind kind, int node, int64_t at_ms) {
  SimProcess process;
  process.kind = kind;
  process.node = node;
  process.started_ms = at_ms;
  const uint64_t h =
      HashOf({spec_.seed, static_cast<uint64_t>(job_.index), static_cast<uint64_t>(job_.generation),
              0x9e, static_cast<uint64_t>(rt_.process_serial++)});
  process.push_suffix = HexId(h ^ 0x5);
  const uint64_t cluster_hash = HashText(job_.cluster);
  if (job_.cluster_kind == ClusterKind::kKubernetes) {
    process.host = absl::StrCat("10.", 16 + cluster_hash % 16, ".", node % 256, ".", 2 + h % 250);
    if (kind == ProcessKind::kJobManager) {
      process.pod = absl::StrCat(job_.name, "-", HexId(h).substr(0, 10), "-", PodSuffix(h, 5));
    } else {
      // Flink native Kubernetes: <cluster-id>-taskmanager-<attempt>-<index>.
      process.pod =
          absl::StrCat(job_.name, "-taskmanager-", job_.generation + 1, "-", rt_.next_tm_number++);
      process.tm_id = process.pod;
    }
  } else {
    process.host = absl::StrCat(nodes_[node], ".", job_.cluster, ".internal");
    const int64_t cluster_timestamp = 1'690'000'000'000 + cluster_hash % 10'000'000'000;
    const int container = kind == ProcessKind::kJobManager ? 1 : rt_.next_container++;
    process.pod = absl::StrFormat("container_e%02d_%d_%04d_01_%06d", 1 + cluster_hash % 40,
                                  cluster_timestamp, rt_.yarn_application, container);
    if (kind == ProcessKind::kTaskManager) process.tm_id = process.pod;
  }
  return process;
}

ProcessState JobModel::NewProcessState(ProcessKind kind) const {
  ProcessState state;
  const int parallelism = Parallelism();
  if (kind == ProcessKind::kJobManager) {
    state.cores = 1;
    state.heap_max = 1024.0 * 1024 * 1024;
    state.classes_loaded = 8'200;
  } else {
    state.slots = (parallelism + spec_.task_managers - 1) / spec_.task_managers;
    state.cores = std::max(1, state.slots);
    state.heap_max = 4096.0 * 1024 * 1024;
    state.classes_loaded = 11'500;
    state.managed_total = 512.0 * 1024 * 1024 * state.slots;
    state.segments_total = 4096;
  }
  state.heap_committed = state.heap_max;
  return state;
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
  Drive(rt_.now_ms);
}

void JobModel::AdvanceTo(int64_t now_ms) {
  if (now_ms <= rt_.now_ms) return;
  int64_t t = rt_.now_ms;
  while (true) {
    const int64_t next = NextEvent();
    const int64_t step_end = std::min(next, now_ms);
    Integrate(t, step_end);
    t = step_end;
    rt_.now_ms = t;
    if (next > now_ms) break;
    HandleEvent(next);
  }
  Drive(now_ms);
}

int64_t JobModel::NextEvent() const {
  if (job_.status == JobStatus::kRestarting) return rt_.restart_done_ms;
  int64_t next = rt_.next_checkpoint_ms;
  if (job_.HasFault(FaultKind::kRestarts)) next = std::min(next, rt_.next_failure_ms);
  return next;
}

void JobModel::HandleEvent(int64_t at_ms) {
  if (job_.status == JobStatus::kRestarting) {
    FinishRestart(at_ms);
  } else if (rt_.next_checkpoint_ms == at_ms) {
    Checkpoint(at_ms);
  } else {
    Fail(at_ms);
  }
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

void JobModel::Fail(int64_t at_ms) {
  job_.status = JobStatus::kRestarting;
  ++job_.restarts;
  rt_.status_since_ms = at_ms;
  rt_.restart_done_ms = at_ms + spec_.restart_duration_ms;
  rt_.next_failure_ms = kNever;
  // The failure took a TaskManager pod with it; its replacement is a new
  // process (new tm_id, new push group, JVM counters from zero) on the
  // same node.
  const int task_managers = static_cast<int>(job_.processes.size()) - 1;
  const int crashed = 1 + static_cast<int>((job_.restarts - 1) % task_managers);
  const int node = job_.processes[crashed].node;
  job_.processes[crashed] = NewProcess(ProcessKind::kTaskManager, node, at_ms);
  rt_.processes[crashed] = NewProcessState(ProcessKind::kTaskManager);
  rt_.layout_dirty = true;
}

void JobModel::FinishRestart(int64_t at_ms) {
  job_.status = JobStatus::kRunning;
  ++job_.attempt_number;
  rt_.status_since_ms = at_ms;
  rt_.running_since_ms = at_ms;
  rt_.restart_done_ms = kNever;
  rt_.restore_timestamp_ms = at_ms;
  rt_.next_checkpoint_ms = at_ms + spec_.checkpoint_interval_ms;
  rt_.next_failure_ms = at_ms + spec_.restart_interval_ms;
  NewAttempts();
  ResetTaskCounters();
  for (int s = 0; s < Parallelism(); ++s) rt_.ops[s].offset = rt_.ops[s].committed_offset;
  rt_.layout_dirty = true;
}

void JobModel::Integrate(int64_t from_ms, int64_t to_ms) {
  if (to_ms <= from_ms) return;
  const double dt = (to_ms - from_ms) / 1000.0;
  for (ProcessState& process : rt_.processes) {
    process.cpu_time_ns += process.cpu_load * process.cores * 1e9 * dt;
    for (int c = 0; c < 2; ++c) {
      process.gc_count[c] += process.gc_count_rate[c] * dt;
      process.gc_time_ms[c] += process.gc_time_rate[c] * dt;
    }
  }
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
  DriveProcesses(second, backpressure);
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

void JobModel::DriveProcesses(int64_t second, bool backpressure) {
  const bool cpu = job_.HasFault(FaultKind::kCpuSaturation);
  const bool gc = job_.HasFault(FaultKind::kGcPressure);
  for (size_t p = 0; p < rt_.processes.size(); ++p) {
    ProcessState& process = rt_.processes[p];
    const bool jm = job_.processes[p].kind == ProcessKind::kJobManager;
    auto u = [&](uint64_t key, uint64_t extra = 0) { return UnitAt(second, key, p, extra); };
    if (jm) {
      process.cpu_load = 0.02 + 0.06 * u(kCpuKey);
      process.gc_time_rate[0] = 2 + 3 * u(kGcKey, 0);
      process.gc_count_rate[0] = 0.1 + 0.2 * u(kGcKey, 1);
      process.gc_time_rate[1] = 0;
      process.gc_count_rate[1] = 0;
      process.heap_used = std::floor(process.heap_max * (0.2 + 0.2 * u(kHeapKey)));
      process.threads = std::floor(45 + 4 * u(kThreadsKey));
    } else {
      process.cpu_load = cpu ? 0.95 + 0.045 * u(kCpuKey) : 0.15 + 0.25 * u(kCpuKey);
      if (gc) {
        // ~300 ms of every second in GC, mostly old generation.
        process.gc_time_rate[0] = 110 + 20 * u(kGcKey, 0);
        process.gc_count_rate[0] = 2 + u(kGcKey, 1);
        process.gc_time_rate[1] = 175 + 15 * u(kGcKey, 2);
        process.gc_count_rate[1] = 0.3;
      } else {
        process.gc_time_rate[0] = 3 + 5 * u(kGcKey, 0);
        process.gc_count_rate[0] = 0.2 + 0.3 * u(kGcKey, 1);
        process.gc_time_rate[1] = 0.3 * u(kGcKey, 2);
        process.gc_count_rate[1] = 0.002;
      }
      const double heap_share = gc ? 0.88 + 0.09 * u(kHeapKey) : 0.25 + 0.3 * u(kHeapKey);
      process.heap_used = std::floor(process.heap_max * heap_share);
      process.threads = std::floor(60 + 6 * process.slots + 4 * u(kThreadsKey));
      process.managed_used = std::floor(process.managed_total * 0.35);
      const double free_share =
          backpressure ? 0.05 + 0.05 * u(kSegmentsKey) : 0.75 + 0.2 * u(kSegmentsKey);
      process.segments_available = std::floor(process.segments_total * free_share);
    }
    process.nonheap_used = std::floor(1.3e8 + 4e7 * u(kNonHeapKey));
    process.nonheap_committed = process.nonheap_used + 8 * 1024 * 1024;
  }
}

void JobModel::RefreshLayout() {
  if (!rt_.layout_dirty) return;
  BuildLayout(job_, spec_.latency_tracking, &rt_.layout);
  rt_.layout_dirty = false;
}

}  // namespace vitals::sim
