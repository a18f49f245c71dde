#pragma once

// The Flink metrics the simulator reports, per Flink version: where each
// is registered (scope, subgroup path, name), its Java metric type, and the
// names every reporter derives from it. Renderers and the ground truth
// read this one table, so they cannot disagree about a name.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flink_version.h"
#include "sim/job_status.h"

namespace vitals::sim {

// Flink's logical scopes.
enum class Scope : uint8_t {
  kJobManager,
  kJobManagerJob,
  kTaskManager,
  kTaskManagerJob,
  kTask,
  kOperator,
};

// Logical scope joined by `_`: "jobmanager", "jobmanager_job",
// "taskmanager", "taskmanager_job", "taskmanager_job_task",
// "taskmanager_job_task_operator".
std::string_view ScopeName(Scope scope);

// Java metric types; reporters render each differently.
enum class MetricType : uint8_t { kCounter, kGauge, kMeter, kHistogram };

// The boxed type a Gauge returns: Prometheus turns all into doubles, StatsD
// prints value.toString(), Influx writes integers with an `i` suffix and
// non-numbers as string fields.
enum class ValueKind : uint8_t { kLong, kDouble, kFloat, kBool, kString };

// The metric groups that carry a metric.
enum class GroupKind : uint8_t {
  kJobManager,
  kJobManagerJob,
  kTaskManager,
  // taskmanager.job → latency.source_id.<id>.operator_id.<id>.operator_subtask_index.<n>
  kLatency,
  kTask,
  kOperator,
  // A Kafka source operator's <reader>.topic.<topic>.partition.<p> groups.
  kSourcePartition,
};

// Which simulated quantity a metric reads.
enum class Field : uint8_t {
  // JobManager / TaskManager process.
  kCpuLoad,
  kCpuTime,
  kHeapUsed,
  kHeapCommitted,
  kHeapMax,
  kNonHeapUsed,
  kNonHeapCommitted,
  kNonHeapMax,
  kThreads,
  kClassesLoaded,
  kGcCount,  // param: collector (0 young, 1 old, 2 all)
  kGcTime,   // param: collector; as a Meter, the ms/s rate
  kManagedUsed,
  kManagedTotal,
  kSegmentsAvailable,
  kSegmentsTotal,
  kRegisteredTaskManagers,
  kRunningJobs,
  kSlotsAvailable,
  kSlotsTotal,
  // Job, on the JobManager.
  kRestarts,
  kUptime,
  kDowntime,
  kStatusState,      // param: JobStatus
  kStatusTime,       // param: JobStatus
  kStatusTimeTotal,  // param: JobStatus
  kCompletedCheckpoints,
  kFailedCheckpoints,
  kInProgressCheckpoints,
  kTotalCheckpoints,
  kLastCheckpointDuration,
  kLastCheckpointSize,
  kLastCheckpointFullSize,
  kLastCheckpointRestoreTimestamp,
  kLastCheckpointExternalPath,
  // Task subtask.
  kTaskRecordsIn,
  kTaskRecordsOut,
  kTaskBytesIn,
  kTaskBytesInLocal,
  kTaskBytesInRemote,
  kTaskBytesOut,
  kBusy,
  kIdle,
  kBackPressured,
  kSoftBackPressured,
  kHardBackPressured,
  kIsBackPressured,
  kInPoolUsage,
  kOutPoolUsage,
  kCheckpointStartDelay,
  // Operator subtask.
  kOpRecordsIn,
  kOpRecordsOut,
  kOutputWatermark,
  kRecordsLagMax,
  kPendingRecords,
  kEmitEventTimeLag,
  kCurrentOffset,
  kCommittedOffset,
  // Latency marker histogram.
  kLatency,
};

struct MetricDef {
  Scope scope;
  GroupKind group;
  // Only on the source operator's groups.
  bool source_only = false;
  MetricType type;
  ValueKind kind = ValueKind::kLong;
  Field field;
  uint8_t param = 0;
  // Dotted subgroup path below the scope ("Status.JVM.CPU"); for key/value
  // groups only the keys ("KafkaSourceReader.topic.partition").
  std::string path = {};
  // Name as registered ("Load", "records-lag-max").
  std::string name = {};

  // Derived names.
  // "Status.JVM.CPU.Load"
  std::string flink_name = {};
  // PrometheusReporter family minus `flink_<scope>_`; the gateway's
  // canonical metric name ("Status_JVM_CPU_Load").
  std::string canonical = {};
  // "flink_taskmanager_Status_JVM_CPU_Load"
  std::string prom_family = {};
  // "Load (scope: taskmanager_Status_JVM_CPU)"
  std::string prom_help = {};
  // InfluxdbReporter measurement: filtered logical scope + `_` + the
  // unfiltered name
  // ("taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records-lag-max").
  std::string influx_measurement = {};
  // StatsD identifier tail after the group's scope prefix: path and name
  // (just the name for key/value groups, whose prefix holds the path).
  std::string statsd_name = {};
};

// Every metric a process of this Flink version can report, grouped by
// scope; the job status gauges of all three kinds (which of them a job
// registers is FleetSpec::job_status_metrics' choice).
const std::vector<MetricDef>& CatalogFor(FlinkVersion version);

// Flink's Prometheus CHARACTER_FILTER: every character outside
// [a-zA-Z0-9:_] becomes `_`.
void AppendPrometheusFiltered(std::string_view text, std::string* out);

}  // namespace vitals::sim
