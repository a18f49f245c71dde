#include "test/unit/scorer/model/synthetic_job.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

namespace vitals::scorer::testing {
namespace {

struct Value {
  int subtask;
  double value;
};

// Folds per-source values the way a gateway does.
void Fold(v1::SeriesAggregate* s, const std::vector<Value>& values, int64_t ts, bool instances) {
  for (const Value& v : values) {
    if (s->count() == 0) {
      s->set_min(v.value);
      s->set_max(v.value);
    } else {
      s->set_min(std::min(s->min(), v.value));
      s->set_max(std::max(s->max(), v.value));
    }
    s->set_count(s->count() + 1);
    s->set_sum(s->sum() + v.value);
    s->set_sum_squares(s->sum_squares() + v.value * v.value);
    s->set_last(v.value);
    s->set_last_timestamp_ms(ts);
    if (instances) {
      v1::InstanceValue* iv = s->add_instances();
      iv->set_instance(std::to_string(v.subtask));
      iv->set_value(v.value);
    }
  }
}

std::string TaskName(const SyntheticJob& job, int op) {
  if (op == 0) return "Source: orders";
  if (op == job.operators - 1) return "Sink: enriched-orders";
  static const char* kNames[] = {"Map", "KeyBy -> Window", "Enrich", "Filter", "Project"};
  return kNames[(op - 1) % 5];
}

// Events in [0, t) of something that happens every `every` ms.
int64_t Ticks(double every, int64_t t) {
  if (every <= 0) return 0;
  return static_cast<int64_t>(std::floor(static_cast<double>(t) / every));
}

// Evenly spread pseudo-random numbers in [0, 1), fixed per event number.
double Uniform(int64_t n) {
  const double x = static_cast<double>(n % 1'000'003) * 0.6180339887498949;
  return x - std::floor(x);
}

class Builder {
 public:
  Builder(const SyntheticJob& job, int64_t start_ms) : job_(job), start_(start_ms) {
    for (int g = 0; g < job.gateways; ++g) {
      v1::MetricBatch& b = batches_.emplace_back();
      b.set_gateway("node-" + std::to_string(g));
      b.set_cluster(job.cluster);
      b.set_interval_start_ms(start_ms);
      b.set_interval_length_ms(job.interval_ms);
      b.set_job_id(job.job_id);
      b.set_job_name(job.job_name);
    }
  }

  int GatewayOfSubtask(int subtask) const { return (subtask % job_.taskmanagers) % job_.gateways; }

  // One series per gateway that hosts any of `values`' subtasks.
  void Add(v1::Scope scope, const std::string& metric, v1::MetricKind kind,
           const std::vector<Value>& values, const std::string& task = "",
           const std::string& op = "", bool instances = false, bool by_tm = false) {
    std::vector<std::vector<Value>> per_gateway(job_.gateways);
    for (const Value& v : values) {
      const int g = by_tm ? v.subtask % job_.gateways : GatewayOfSubtask(v.subtask);
      per_gateway[g].push_back(v);
    }
    for (int g = 0; g < job_.gateways; ++g) {
      if (per_gateway[g].empty()) continue;
      v1::SeriesAggregate* s = batches_[g].add_series();
      s->set_scope(scope);
      s->set_metric(metric);
      s->set_kind(kind);
      if (!task.empty()) (*s->mutable_labels())["task_name"] = task;
      if (!op.empty()) (*s->mutable_labels())["operator_name"] = op;
      Fold(s, per_gateway[g], start_ + job_.interval_ms - 1, instances);
    }
  }

  void JobManager(const std::string& metric, v1::MetricKind kind, double value) {
    v1::SeriesAggregate* s = batches_[0].add_series();
    s->set_scope(v1::SCOPE_JOBMANAGER_JOB);
    s->set_metric(metric);
    s->set_kind(kind);
    Fold(s, {{0, value}}, start_ + job_.interval_ms - 1, false);
  }

  std::vector<v1::MetricBatch> Take() { return std::move(batches_); }

 private:
  const SyntheticJob& job_;
  int64_t start_;
  std::vector<v1::MetricBatch> batches_;
};

}  // namespace

std::vector<v1::MetricBatch> MakeInterval(const SyntheticJob& job, int64_t start_ms) {
  Builder b(job, start_ms);
  const int64_t end_ms = start_ms + job.interval_ms;
  const bool modern = job.naming == FlinkNaming::k120 || job.naming == FlinkNaming::k118;
  const auto P = job.parallelism;
  const auto kGauge = v1::METRIC_KIND_GAUGE;
  const auto kCounter = v1::METRIC_KIND_COUNTER;
  const auto kMeter = v1::METRIC_KIND_METER;

  // JobManager: restarts, job state, checkpoints.
  const double restarts =
      Uniform(start_ms / job.interval_ms + 7) < job.restarts_per_interval ? 1 : 0;
  b.JobManager(job.naming == FlinkNaming::k110 ? "fullRestarts" : "numRestarts", kCounter,
               restarts);
  const auto in_state = static_cast<double>(std::max<int64_t>(0, end_ms - 1 - job.state_since_ms));
  if (modern) {
    for (const char* status :
         {"initializing", "created", "running", "failing", "cancelling", "restarting"}) {
      const bool current = job.running ? std::string_view(status) == "running"
                                       : std::string_view(status) == "restarting";
      b.JobManager(std::string(status) + "Time", kGauge, current ? in_state : 0);
    }
  } else {
    b.JobManager("uptime", kGauge, job.running ? in_state : 0);
    b.JobManager("downtime", kGauge, job.running ? 0 : in_state);
  }
  double attempts = 0, failed = 0;
  for (int64_t n = Ticks(job.checkpoint_every_ms, start_ms);
       n < Ticks(job.checkpoint_every_ms, end_ms); ++n) {
    ++attempts;
    if (Uniform(n) < job.checkpoint_failed_share) ++failed;
  }
  b.JobManager("numberOfCompletedCheckpoints", kCounter, attempts - failed);
  b.JobManager("numberOfFailedCheckpoints", kCounter, failed);
  b.JobManager("lastCheckpointDuration", kGauge, job.checkpoint_duration_ms);
  b.JobManager("lastCheckpointRestoreTimestamp", kGauge, job.restore_timestamp_ms);

  // TaskManagers: the first one is the hottest.
  std::vector<Value> cpu, gc_rate, young, old;
  for (int tm = 0; tm < job.taskmanagers; ++tm) {
    const double f = tm == 0 ? 1.0 : 0.6;
    cpu.push_back({tm, job.cpu_load * f});
    gc_rate.push_back({tm, job.gc_share * f * 1000});
    young.push_back({tm, job.gc_share * f * job.interval_ms * 0.9});
    old.push_back({tm, job.gc_share * f * job.interval_ms * 0.1});
  }
  b.Add(v1::SCOPE_TASKMANAGER, "Status_JVM_CPU_Load", kGauge, cpu, "", "", false, true);
  if (job.naming == FlinkNaming::k120) {
    b.Add(v1::SCOPE_TASKMANAGER, "Status_JVM_GarbageCollector_All_TimeMsPerSecond", kGauge, gc_rate,
          "", "", false, true);
  } else {
    b.Add(v1::SCOPE_TASKMANAGER, "Status_JVM_GarbageCollector_G1_Young_Generation_Time", kCounter,
          young, "", "", false, true);
    b.Add(v1::SCOPE_TASKMANAGER, "Status_JVM_GarbageCollector_G1_Old_Generation_Time", kCounter,
          old, "", "", false, true);
  }

  // Tasks (one operator each).
  for (int op = 0; op < job.operators; ++op) {
    const std::string task = TaskName(job, op);
    const bool backpressured = job.backpressure > 0 && op < job.backpressured_tasks;
    const bool bottleneck = job.backpressure > 0 && op == job.backpressured_tasks;
    const double bp = backpressured ? job.backpressure : 0;
    const double busy = bottleneck ? 0.97 : std::min(job.busy, 1.0 - bp);
    std::vector<Value> bp_ms, busy_ms, idle_ms, is_bp, rate_in, rate_out, pending, lag;
    for (int s = 0; s < P; ++s) {
      bp_ms.push_back({s, bp * 1000});
      busy_ms.push_back({s, busy * 1000});
      idle_ms.push_back({s, (1.0 - busy - (modern ? bp : 0)) * 1000});
      is_bp.push_back({s, s < std::lround(bp * P) ? 1.0 : 0.0});
      double rate = job.input_rate;
      if (op == 1 && s == 0) rate *= job.skew_factor;
      rate_in.push_back({s, rate});
      rate_out.push_back({s, rate});
      pending.push_back({s, job.pending_records});
      lag.push_back({s, job.event_time_lag_ms});
    }
    const auto kTask = v1::SCOPE_TASKMANAGER_JOB_TASK;
    const auto kOp = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
    if (modern) {
      b.Add(kTask, "backPressuredTimeMsPerSecond", kGauge, bp_ms, task);
      b.Add(kTask, "busyTimeMsPerSecond", kGauge, busy_ms, task);
      b.Add(kTask, "idleTimeMsPerSecond", kGauge, idle_ms, task);
    } else {
      b.Add(kTask, "isBackPressured", kGauge, is_bp, task);
      if (job.naming == FlinkNaming::k112)
        b.Add(kTask, "idleTimeMsPerSecond", kGauge, idle_ms, task);
    }
    b.Add(kOp, "numRecordsInPerSecond", kMeter, rate_in, task, task, /*instances=*/true);
    b.Add(kOp, "numRecordsOutPerSecond", kMeter, rate_out, task, task);
    if (op == job.operators - 1) {
      std::vector<Value> errors;
      for (int s = 0; s < P; ++s) {
        errors.push_back(
            {s, job.sink_errors_per_s * static_cast<double>(job.interval_ms) / 1000.0 / P});
      }
      b.Add(kOp, "numRecordsOutErrors", v1::METRIC_KIND_COUNTER, errors, task, task);
    }
    if (op == 0) {
      if (modern) {
        b.Add(kOp, "pendingRecords", kGauge, pending, task, task);
        b.Add(kOp, "currentEmitEventTimeLag", kGauge, lag, task, task);
      } else {
        b.Add(kOp, "KafkaConsumer_records_lag_max", kGauge, pending, task, task);
      }
    }
  }
  return b.Take();
}

}  // namespace vitals::scorer::testing
