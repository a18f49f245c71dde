#include "sim/metric_catalog.h"

#include <array>

namespace vitals::sim {
namespace {

bool IsPrometheusNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '_';
}

// Filters each dotted component and joins them with `_`, as
// getLogicalScope(CHARACTER_FILTER, '_') does for subgroups.
void AppendFilteredPath(std::string_view path, std::string* out) {
  for (char c : path) out->push_back(c == '.' ? '_' : (IsPrometheusNameChar(c) ? c : '_'));
}

class CatalogBuilder {
 public:
  explicit CatalogBuilder(FlinkVersion version) : traits_(Traits(version)) {}

  std::vector<MetricDef> Build() {
    AddProcess(Scope::kJobManager, GroupKind::kJobManager);
    AddJobManagerCluster();
    AddJob();
    AddProcess(Scope::kTaskManager, GroupKind::kTaskManager);
    AddTaskManagerOnly();
    AddLatency();
    AddTask();
    AddOperator();
    for (MetricDef& def : defs_) Derive(def);
    return std::move(defs_);
  }

 private:
  MetricDef& Add(Scope scope, GroupKind group, std::string_view path, std::string_view name,
                 MetricType type, ValueKind kind, Field field, uint8_t param = 0) {
    MetricDef def{.scope = scope,
                  .group = group,
                  .type = type,
                  .kind = kind,
                  .field = field,
                  .param = param,
                  .path = std::string(path),
                  .name = std::string(name)};
    defs_.push_back(std::move(def));
    return defs_.back();
  }

  void AddProcess(Scope scope, GroupKind group) {
    const auto G = MetricType::kGauge;
    Add(scope, group, "Status.JVM.CPU", "Load", G, ValueKind::kDouble, Field::kCpuLoad);
    Add(scope, group, "Status.JVM.CPU", "Time", G, ValueKind::kLong, Field::kCpuTime);
    Add(scope, group, "Status.JVM.Memory.Heap", "Used", G, ValueKind::kLong, Field::kHeapUsed);
    Add(scope, group, "Status.JVM.Memory.Heap", "Committed", G, ValueKind::kLong,
        Field::kHeapCommitted);
    Add(scope, group, "Status.JVM.Memory.Heap", "Max", G, ValueKind::kLong, Field::kHeapMax);
    Add(scope, group, "Status.JVM.Memory.NonHeap", "Used", G, ValueKind::kLong,
        Field::kNonHeapUsed);
    Add(scope, group, "Status.JVM.Memory.NonHeap", "Committed", G, ValueKind::kLong,
        Field::kNonHeapCommitted);
    // The JVM reports -1 for an undefined non-heap maximum.
    Add(scope, group, "Status.JVM.Memory.NonHeap", "Max", G, ValueKind::kLong, Field::kNonHeapMax);
    Add(scope, group, "Status.JVM.Threads", "Count", G, ValueKind::kLong, Field::kThreads);
    Add(scope, group, "Status.JVM.ClassLoader", "ClassesLoaded", G, ValueKind::kLong,
        Field::kClassesLoaded);
    // GarbageCollectorMXBean names, spaces and all: the Prometheus filter
    // turns them into `G1_Young_Generation`, StatsD passes them through.
    const std::array<std::string_view, 2> collectors =
        traits_.g1_collectors
            ? std::array<std::string_view, 2>{"G1 Young Generation", "G1 Old Generation"}
            : std::array<std::string_view, 2>{"PS Scavenge", "PS MarkSweep"};
    for (uint8_t c = 0; c < 2; ++c) {
      std::string path = "Status.JVM.GarbageCollector.";
      path += collectors[c];
      Add(scope, group, path, "Count", G, ValueKind::kLong, Field::kGcCount, c);
      Add(scope, group, path, "Time", G, ValueKind::kLong, Field::kGcTime, c);
      if (traits_.gc_time_rate_and_all) {
        Add(scope, group, path, "TimeMsPerSecond", MetricType::kMeter, ValueKind::kDouble,
            Field::kGcTime, c);
      }
    }
    if (traits_.gc_time_rate_and_all) {
      const std::string_view all = "Status.JVM.GarbageCollector.All";
      Add(scope, group, all, "Count", G, ValueKind::kLong, Field::kGcCount, 2);
      Add(scope, group, all, "Time", G, ValueKind::kLong, Field::kGcTime, 2);
      Add(scope, group, all, "TimeMsPerSecond", MetricType::kMeter, ValueKind::kDouble,
          Field::kGcTime, 2);
    }
  }

  void AddJobManagerCluster() {
    const auto G = MetricType::kGauge;
    const auto S = Scope::kJobManager;
    const auto K = GroupKind::kJobManager;
    Add(S, K, "", "numRegisteredTaskManagers", G, ValueKind::kLong, Field::kRegisteredTaskManagers);
    Add(S, K, "", "numRunningJobs", G, ValueKind::kLong, Field::kRunningJobs);
    Add(S, K, "", "taskSlotsAvailable", G, ValueKind::kLong, Field::kSlotsAvailable);
    Add(S, K, "", "taskSlotsTotal", G, ValueKind::kLong, Field::kSlotsTotal);
  }

  void AddJob() {
    const auto G = MetricType::kGauge;
    const auto S = Scope::kJobManagerJob;
    const auto K = GroupKind::kJobManagerJob;
    const auto L = ValueKind::kLong;
    Add(S, K, "", "numRestarts", G, L, Field::kRestarts);
    if (traits_.full_restarts) Add(S, K, "", "fullRestarts", G, L, Field::kRestarts);
    if (traits_.uptime_downtime) {
      Add(S, K, "", "uptime", G, L, Field::kUptime);
      Add(S, K, "", "downtime", G, L, Field::kDowntime);
    }
    if (traits_.job_state_gauges) {
      // JobStatusMetrics: per status in declaration order, State, Time,
      // TimeTotal; none for terminal statuses and RECONCILING.
      for (uint8_t s = 0; s < kNumJobStatuses; ++s) {
        if (!HasStatusMetrics(static_cast<JobStatus>(s))) continue;
        std::string state(kJobStatusNames[s]);
        Add(S, K, "", state + "State", G, L, Field::kStatusState, s);
        Add(S, K, "", state + "Time", G, L, Field::kStatusTime, s);
        Add(S, K, "", state + "TimeTotal", G, L, Field::kStatusTimeTotal, s);
      }
    }
    Add(S, K, "", "numberOfCompletedCheckpoints", G, L, Field::kCompletedCheckpoints);
    Add(S, K, "", "numberOfFailedCheckpoints", G, L, Field::kFailedCheckpoints);
    Add(S, K, "", "numberOfInProgressCheckpoints", G, L, Field::kInProgressCheckpoints);
    Add(S, K, "", "totalNumberOfCheckpoints", G, L, Field::kTotalCheckpoints);
    Add(S, K, "", "lastCheckpointDuration", G, L, Field::kLastCheckpointDuration);
    Add(S, K, "", "lastCheckpointSize", G, L, Field::kLastCheckpointSize);
    if (traits_.last_checkpoint_full_size) {
      Add(S, K, "", "lastCheckpointFullSize", G, L, Field::kLastCheckpointFullSize);
    }
    Add(S, K, "", "lastCheckpointRestoreTimestamp", G, L, Field::kLastCheckpointRestoreTimestamp);
    Add(S, K, "", "lastCheckpointExternalPath", G, ValueKind::kString,
        Field::kLastCheckpointExternalPath);
  }

  void AddTaskManagerOnly() {
    const auto G = MetricType::kGauge;
    const auto S = Scope::kTaskManager;
    const auto K = GroupKind::kTaskManager;
    const auto L = ValueKind::kLong;
    if (traits_.shuffle_netty_status) {
      Add(S, K, "Status.Flink.Memory.Managed", "Used", G, L, Field::kManagedUsed);
      Add(S, K, "Status.Flink.Memory.Managed", "Total", G, L, Field::kManagedTotal);
      Add(S, K, "Status.Shuffle.Netty", "AvailableMemorySegments", G, L, Field::kSegmentsAvailable);
      Add(S, K, "Status.Shuffle.Netty", "TotalMemorySegments", G, L, Field::kSegmentsTotal);
    } else {
      Add(S, K, "Status.Network", "AvailableMemorySegments", G, L, Field::kSegmentsAvailable);
      Add(S, K, "Status.Network", "TotalMemorySegments", G, L, Field::kSegmentsTotal);
    }
  }

  void AddLatency() {
    Add(Scope::kTaskManagerJob, GroupKind::kLatency,
        "latency.source_id.operator_id.operator_subtask_index", "latency", MetricType::kHistogram,
        ValueKind::kDouble, Field::kLatency);
  }

  void AddTask() {
    const auto S = Scope::kTask;
    const auto K = GroupKind::kTask;
    const auto C = MetricType::kCounter;
    const auto M = MetricType::kMeter;
    const auto G = MetricType::kGauge;
    const auto L = ValueKind::kLong;
    Add(S, K, "", "numRecordsIn", C, L, Field::kTaskRecordsIn);
    Add(S, K, "", "numRecordsOut", C, L, Field::kTaskRecordsOut);
    Add(S, K, "", "numRecordsInPerSecond", M, ValueKind::kDouble, Field::kTaskRecordsIn);
    Add(S, K, "", "numRecordsOutPerSecond", M, ValueKind::kDouble, Field::kTaskRecordsOut);
    if (traits_.num_bytes_in) {
      Add(S, K, "", "numBytesIn", C, L, Field::kTaskBytesIn);
      Add(S, K, "", "numBytesInPerSecond", M, ValueKind::kDouble, Field::kTaskBytesIn);
    } else {
      Add(S, K, "", "numBytesInLocal", C, L, Field::kTaskBytesInLocal);
      Add(S, K, "", "numBytesInRemote", C, L, Field::kTaskBytesInRemote);
      Add(S, K, "", "numBytesInLocalPerSecond", M, ValueKind::kDouble, Field::kTaskBytesInLocal);
      Add(S, K, "", "numBytesInRemotePerSecond", M, ValueKind::kDouble, Field::kTaskBytesInRemote);
    }
    Add(S, K, "", "numBytesOut", C, L, Field::kTaskBytesOut);
    Add(S, K, "", "numBytesOutPerSecond", M, ValueKind::kDouble, Field::kTaskBytesOut);
    Add(S, K, "", "isBackPressured", G, ValueKind::kBool, Field::kIsBackPressured);
    if (traits_.idle_time) {
      if (traits_.idle_time_is_meter) {
        Add(S, K, "", "idleTimeMsPerSecond", M, ValueKind::kDouble, Field::kIdle);
      } else {
        Add(S, K, "", "idleTimeMsPerSecond", G, L, Field::kIdle);
      }
    }
    if (traits_.busy_and_backpressured_time) {
      Add(S, K, "", "busyTimeMsPerSecond", G, ValueKind::kDouble, Field::kBusy);
      Add(S, K, "", "backPressuredTimeMsPerSecond", G, L, Field::kBackPressured);
    }
    if (traits_.soft_hard_backpressure) {
      Add(S, K, "", "softBackPressuredTimeMsPerSecond", G, L, Field::kSoftBackPressured);
      Add(S, K, "", "hardBackPressuredTimeMsPerSecond", G, L, Field::kHardBackPressured);
    }
    Add(S, K, "Shuffle.Netty.Input.Buffers", "inPoolUsage", G, ValueKind::kFloat,
        Field::kInPoolUsage);
    Add(S, K, "Shuffle.Netty.Output.Buffers", "outPoolUsage", G, ValueKind::kFloat,
        Field::kOutPoolUsage);
    if (traits_.checkpoint_start_delay) {
      Add(S, K, "", "checkpointStartDelayNanos", G, L, Field::kCheckpointStartDelay);
    }
  }

  void AddOperator() {
    const auto S = Scope::kOperator;
    const auto K = GroupKind::kOperator;
    const auto G = MetricType::kGauge;
    const auto L = ValueKind::kLong;
    Add(S, K, "", "numRecordsIn", MetricType::kCounter, L, Field::kOpRecordsIn);
    Add(S, K, "", "numRecordsOut", MetricType::kCounter, L, Field::kOpRecordsOut);
    Add(S, K, "", "numRecordsInPerSecond", MetricType::kMeter, ValueKind::kDouble,
        Field::kOpRecordsIn);
    Add(S, K, "", "numRecordsOutPerSecond", MetricType::kMeter, ValueKind::kDouble,
        Field::kOpRecordsOut);
    Add(S, K, "", "currentOutputWatermark", G, L, Field::kOutputWatermark);
    if (traits_.kafka_source_reader) {
      Add(S, K, "KafkaSourceReader.KafkaConsumer", "records-lag-max", G, ValueKind::kDouble,
          Field::kRecordsLagMax)
          .source_only = true;
      Add(S, K, "", "pendingRecords", G, L, Field::kPendingRecords).source_only = true;
      Add(S, K, "", "currentEmitEventTimeLag", G, L, Field::kEmitEventTimeLag).source_only = true;
      Add(S, GroupKind::kSourcePartition, "KafkaSourceReader.topic.partition", "currentOffset", G,
          L, Field::kCurrentOffset);
      Add(S, GroupKind::kSourcePartition, "KafkaSourceReader.topic.partition", "committedOffset", G,
          L, Field::kCommittedOffset);
    } else {
      Add(S, K, "KafkaConsumer", "records-lag-max", G, ValueKind::kDouble, Field::kRecordsLagMax)
          .source_only = true;
      Add(S, GroupKind::kSourcePartition, "KafkaConsumer.topic.partition", "currentOffsets", G, L,
          Field::kCurrentOffset);
      Add(S, GroupKind::kSourcePartition, "KafkaConsumer.topic.partition", "committedOffsets", G, L,
          Field::kCommittedOffset);
    }
  }

  static void Derive(MetricDef& def) {
    const bool key_value =
        def.group == GroupKind::kLatency || def.group == GroupKind::kSourcePartition;
    def.flink_name = def.path.empty() ? def.name : def.path + "." + def.name;

    std::string logical(ScopeName(def.scope));
    if (!def.path.empty()) {
      logical.push_back('_');
      AppendFilteredPath(def.path, &logical);
    }
    def.canonical.clear();
    if (!def.path.empty()) {
      AppendFilteredPath(def.path, &def.canonical);
      def.canonical.push_back('_');
    }
    AppendPrometheusFiltered(def.name, &def.canonical);
    def.prom_family = "flink_" + std::string(ScopeName(def.scope)) + "_" + def.canonical;
    def.prom_help = def.name + " (scope: " + logical + ")";

    // Line protocol escapes spaces and commas in measurement names.
    for (char c : logical + "_" + def.name) {
      if (c == ' ' || c == ',') def.influx_measurement.push_back('\\');
      def.influx_measurement.push_back(c);
    }

    std::string tail = key_value ? def.name : def.flink_name;
    for (char& c : tail) {
      if (c == ':') c = '-';
    }
    def.statsd_name = std::move(tail);
  }

  const VersionTraits& traits_;
  std::vector<MetricDef> defs_;
};

}  // namespace

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kJobManager:
      return "jobmanager";
    case Scope::kJobManagerJob:
      return "jobmanager_job";
    case Scope::kTaskManager:
      return "taskmanager";
    case Scope::kTaskManagerJob:
      return "taskmanager_job";
    case Scope::kTask:
      return "taskmanager_job_task";
    case Scope::kOperator:
      return "taskmanager_job_task_operator";
  }
  return "?";
}

void AppendPrometheusFiltered(std::string_view text, std::string* out) {
  for (char c : text) out->push_back(IsPrometheusNameChar(c) ? c : '_');
}

const std::vector<MetricDef>& CatalogFor(FlinkVersion version) {
  static const auto* catalogs = [] {
    auto* all = new std::vector<std::vector<MetricDef>>();
    for (FlinkVersion v : kAllFlinkVersions) all->push_back(CatalogBuilder(v).Build());
    return all;
  }();
  return (*catalogs)[static_cast<int>(version)];
}

}  // namespace vitals::sim
