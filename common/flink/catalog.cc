#include "common/flink/catalog.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/base/prom_chars.h"

namespace vitals::flink {
namespace {

constexpr uint8_t kJm = kJobManagerBit;
constexpr uint8_t kJmJob = kJobManagerJobBit;
constexpr uint8_t kTm = kTaskManagerBit;
constexpr uint8_t kTmJob = kTaskManagerJobBit;
constexpr uint8_t kTask = kTaskBit;
constexpr uint8_t kOp = kOperatorBit;
constexpr uint8_t kTaskOrOp = kTaskBit | kOperatorBit;

// By the scope that registers them. When unsure whether a metric is task-
// or operator-level, both are listed: a listed metric rules out readings
// that put it anywhere else.
constexpr Metric kMetrics[] = {
    // JobManager
    {"numRegisteredTaskManagers", kJm, Kind::kGauge},
    {"numPendingTaskManagers", kJm, Kind::kGauge},
    {"numRunningJobs", kJm, Kind::kGauge},
    {"taskSlotsAvailable", kJm, Kind::kGauge},
    {"taskSlotsTotal", kJm, Kind::kGauge},
    // Job on the JobManager: availability and checkpointing
    {"numRestarts", kJmJob, Kind::kCounter},
    // Deprecated for numRestarts in 1.10 (FLINK-14642), removed in 2.0
    // with uptime and downtime (FLINK-36355), which JobStatusMetrics
    // replaced in 1.15.
    {"fullRestarts", kJmJob, Kind::kCounter, 0, 200},
    {"uptime", kJmJob, Kind::kGauge, 0, 200},
    {"downtime", kJmJob, Kind::kGauge, 0, 200},
    {"numberOfCompletedCheckpoints", kJmJob, Kind::kCounter},
    {"numberOfFailedCheckpoints", kJmJob, Kind::kCounter},
    {"numberOfInProgressCheckpoints", kJmJob, Kind::kGauge},
    {"totalNumberOfCheckpoints", kJmJob, Kind::kCounter},
    {"lastCheckpointDuration", kJmJob, Kind::kGauge},
    {"lastCheckpointSize", kJmJob, Kind::kGauge},
    {"lastCheckpointFullSize", kJmJob, Kind::kGauge, 115},  // FLINK-25557
    {"lastCheckpointExternalPath", kJmJob, Kind::kGauge},
    {"lastCheckpointRestoreTimestamp", kJmJob, Kind::kGauge},
    {"lastCheckpointAlignmentBuffered", kJmJob, Kind::kGauge},
    {"lastCheckpointProcessedData", kJmJob, Kind::kGauge},
    {"lastCheckpointPersistedData", kJmJob, Kind::kGauge},
    {"lastCompletedCheckpointId", kJmJob, Kind::kGauge},
    // Task
    // Busy, idle and back-pressured time: idle from 1.11 (including
    // back-pressured time until 1.12), busy and back-pressured from 1.13,
    // soft and hard back-pressure from 1.15.
    {"idleTimeMsPerSecond", kTask, Kind::kMeter, 111},
    {"busyTimeMsPerSecond", kTask, Kind::kMeter, 113},
    {"backPressuredTimeMsPerSecond", kTask, Kind::kMeter, 113},
    {"softBackPressuredTimeMsPerSecond", kTask, Kind::kMeter, 115},
    {"hardBackPressuredTimeMsPerSecond", kTask, Kind::kMeter, 115},
    {"maxSoftBackPressureTimeMs", kTask, Kind::kGauge},
    {"maxHardBackPressureTimeMs", kTask, Kind::kGauge},
    {"accumulatedBusyTime", kTask, Kind::kGauge},
    {"accumulatedIdleTime", kTask, Kind::kGauge},
    {"accumulatedBackpressuredTime", kTask, Kind::kGauge},
    {"isBackPressured", kTask, Kind::kGauge},
    {"checkpointAlignmentTime", kTask, Kind::kGauge},
    {"checkpointStartDelayNanos", kTask, Kind::kGauge},
    {"mailboxMailsPerSecond", kTask, Kind::kMeter},
    {"mailboxLatencyMs", kTask, Kind::kGauge},
    {"mailboxQueueSize", kTask, Kind::kGauge},
    {"numBytesInLocal", kTask, Kind::kCounter},
    {"numBytesInRemote", kTask, Kind::kCounter},
    {"numBytesInLocalPerSecond", kTask, Kind::kMeter},
    {"numBytesInRemotePerSecond", kTask, Kind::kMeter},
    {"numBuffersInLocal", kTask, Kind::kCounter},
    {"numBuffersInRemote", kTask, Kind::kCounter},
    {"numBuffersInLocalPerSecond", kTask, Kind::kMeter},
    {"numBuffersInRemotePerSecond", kTask, Kind::kMeter},
    {"numBuffersOut", kTask, Kind::kCounter},
    {"numBuffersOutPerSecond", kTask, Kind::kMeter},
    {"currentLowWatermark", kTask, Kind::kGauge},
    {"debloatedBufferSize", kTask, Kind::kGauge},
    {"estimatedTimeToConsumeBuffersMs", kTask, Kind::kGauge},
    // Both: a task's IO counters mirror its head/tail operator's.
    {"numRecordsIn", kTaskOrOp, Kind::kCounter},
    {"numRecordsOut", kTaskOrOp, Kind::kCounter},
    {"numRecordsInPerSecond", kTaskOrOp, Kind::kMeter},
    {"numRecordsOutPerSecond", kTaskOrOp, Kind::kMeter},
    {"numBytesIn", kTaskOrOp, Kind::kCounter},
    {"numBytesOut", kTaskOrOp, Kind::kCounter},
    {"numBytesInPerSecond", kTaskOrOp, Kind::kMeter},
    {"numBytesOutPerSecond", kTaskOrOp, Kind::kMeter},
    {"currentInputWatermark", kTaskOrOp, Kind::kGauge},
    // Operator: watermarks, sources and sinks (FLIP-33)
    {"currentOutputWatermark", kOp, Kind::kGauge},
    {"currentInput1Watermark", kOp, Kind::kGauge},
    {"currentInput2Watermark", kOp, Kind::kGauge},
    {"watermarkAlignmentDrift", kOp, Kind::kGauge},
    {"numLateRecordsDropped", kOp, Kind::kCounter},
    {"lateRecordsDroppedRate", kOp, Kind::kGauge},
    {"currentEmitEventTimeLag", kOp, Kind::kGauge, 114},
    {"currentFetchEventTimeLag", kOp, Kind::kGauge},
    {"watermarkLag", kOp, Kind::kGauge, 114},
    {"sourceIdleTime", kOp, Kind::kGauge},
    {"pendingRecords", kOp, Kind::kGauge, 114},
    {"pendingBytes", kOp, Kind::kGauge},
    {"numRecordsInErrors", kOp, Kind::kCounter},
    {"numRecordsOutErrors", kOp, Kind::kCounter},
    {"numRecordsSend", kOp, Kind::kCounter},
    {"numRecordsSendErrors", kOp, Kind::kCounter},
    {"numBytesSend", kOp, Kind::kCounter},
    {"currentSendTime", kOp, Kind::kGauge},
    {"millisBehindLatest", kOp, Kind::kGauge},
    // Named within groups, but cumulative all the same.
    {"Status.JVM.CPU.Time", kJm | kTm, Kind::kCounter},
    {"KafkaSourceReader.commitsSucceeded", kOp, Kind::kCounter},
    {"KafkaSourceReader.commitsFailed", kOp, Kind::kCounter},
};

// The first group of a metric decides its scope.
constexpr Group kGroups[] = {
    {"Status", kJm | kTm},  // Status.JVM.*, Status.Flink.Memory.*, Status.Shuffle.*
    {"System", kJm | kTm},  // metrics.system-resource
    {"Shuffle", kTask},     // Shuffle.Netty.Input|Output.*
    {"buffers", kTask},     // pre-1.11 buffer metrics
    {"Network", kTask},     // pre-1.11 per-gate metrics
    {"latency", kTmJob},    // latency[.source_id.<id>].operator_id.<id>.….latency
    {"KafkaSourceReader", kOp}, {"KafkaConsumer", kOp}, {"KafkaProducer", kOp},
};

// JobStatusMetrics registers gauges for the statuses that are neither
// terminal nor RECONCILING (JobStatus.isTerminalState()).
constexpr std::string_view kGaugedJobStatuses[] = {
    "initializing", "created", "running", "failing", "cancelling", "restarting",
};
constexpr std::string_view kJobStatusSuffixes[] = {"State", "Time", "TimeTotal"};

// The canonical spelling: PrometheusReporter's character filter.
std::string Canonical(std::string_view name) {
  std::string out(name);
  FilterPromChars(out);
  return out;
}

// A `<status>State|Time|TimeTotal` of a gauged status.
bool IsJobStatusGauge(std::string_view name) {
  for (std::string_view status : kGaugedJobStatuses) {
    if (!name.starts_with(status)) continue;
    const std::string_view suffix = name.substr(status.size());
    for (std::string_view s : kJobStatusSuffixes) {
      if (suffix == s) return true;
    }
  }
  return false;
}

// Lookups by both spellings. The dotted one also holds the job-status
// gauges, so that the StatsD scope search (once per new identifier) costs
// one probe.
struct Tables {
  std::vector<std::string> status_gauges;  // owns the generated names
  absl::flat_hash_map<absl::string_view, uint8_t> scopes_by_dotted;
  absl::flat_hash_map<std::string, const Metric*> by_canonical;
};

const Tables& GetTables() {
  static const Tables* tables = [] {
    auto* t = new Tables();
    t->status_gauges.reserve(std::size(kGaugedJobStatuses) * std::size(kJobStatusSuffixes));
    for (std::string_view status : kGaugedJobStatuses) {
      for (std::string_view suffix : kJobStatusSuffixes) {
        t->status_gauges.push_back(std::string(status) + std::string(suffix));
      }
    }
    for (const std::string& name : t->status_gauges) t->scopes_by_dotted[name] |= kJmJob;
    for (const Metric& m : kMetrics) {
      t->scopes_by_dotted[absl::string_view(m.name.data(), m.name.size())] |= m.scopes;
      t->by_canonical.emplace(Canonical(m.name), &m);
    }
    return t;
  }();
  return *tables;
}

const Metric* FindCanonical(std::string_view canonical) {
  const auto& table = GetTables().by_canonical;
  auto it = table.find(absl::string_view(canonical.data(), canonical.size()));
  return it == table.end() ? nullptr : it->second;
}

}  // namespace

std::span<const Metric> Metrics() { return kMetrics; }
std::span<const Group> Groups() { return kGroups; }
std::span<const std::string_view> GaugedJobStatuses() { return kGaugedJobStatuses; }

uint8_t GroupScopes(std::string_view group) {
  for (const Group& g : kGroups) {
    if (g.name == group) return g.scopes;
  }
  return 0;
}

uint8_t FixedNameScopes(std::string_view dotted_name) {
  const auto& table = GetTables().scopes_by_dotted;
  auto it = table.find(absl::string_view(dotted_name.data(), dotted_name.size()));
  return it == table.end() ? 0 : it->second;
}

bool IsKnownCanonicalPrefix(std::string_view canonical_prefix) {
  for (const Group& g : kGroups) {
    if (canonical_prefix.size() > g.name.size() && canonical_prefix.starts_with(g.name) &&
        canonical_prefix[g.name.size()] == '_') {
      return true;
    }
  }
  return false;
}

bool RegisteredIn(std::string_view canonical, Release release) {
  if (const Metric* m = FindCanonical(canonical); m != nullptr) {
    return release >= m->since && (m->until == 0 || release < m->until);
  }
  if (IsJobStatusGauge(canonical)) return release >= 115;
  constexpr std::string_view kGc = "Status_JVM_GarbageCollector_";
  if (canonical.starts_with(kGc) && (canonical.substr(kGc.size()).starts_with("All_") ||
                                     canonical.ends_with("_TimeMsPerSecond"))) {
    return release >= 119;
  }
  if (canonical.starts_with("KafkaSourceReader_")) return release >= 114;
  return true;
}

bool IsKnownCanonical(std::string_view canonical) {
  return FindCanonical(canonical) != nullptr || IsJobStatusGauge(canonical) ||
         IsKnownCanonicalPrefix(canonical);
}

bool IsMeter(std::string_view canonical) {
  return canonical.ends_with("PerSecond") || canonical.ends_with("_rate");
}

bool IsCounter(std::string_view canonical) {
  if (const Metric* m = FindCanonical(canonical); m != nullptr) return m->kind == Kind::kCounter;
  // Status.JVM.GarbageCollector.<collector>.Count|Time, `All` included; the
  // 1.19+ `TimeMsPerSecond` is a meter.
  constexpr std::string_view kGc = "Status_JVM_GarbageCollector_";
  if (canonical.starts_with(kGc) && canonical.size() > kGc.size() + 5 &&
      (canonical.ends_with("_Count") || canonical.ends_with("_Time"))) {
    return true;
  }
  // <status>TimeTotal (runningTimeTotal, restartingTimeTotal, …), 1.15+.
  constexpr std::string_view kStatusTotal = "TimeTotal";
  if (canonical.size() > kStatusTotal.size() && canonical.ends_with(kStatusTotal)) return true;
  // A StatsD/Influx meter's cumulative event count next to its rate.
  if (canonical.ends_with("PerSecond_count")) return true;
  // Kafka client metrics come in `-rate`/`-total` pairs; `-total` is the
  // cumulative sum Flink forwards under KafkaConsumer/KafkaProducer groups.
  return (canonical.find("KafkaConsumer_") != std::string_view::npos ||
          canonical.find("KafkaProducer_") != std::string_view::npos) &&
         canonical.ends_with("_total");
}

bool IsUndefinedValue(std::string_view canonical, double value) {
  // Checked on every sample: the value test comes first and nearly always
  // ends it.
  constexpr double kLongMin = -9223372036854775808.0;
  if (value == -1) {
    return canonical == "currentEmitEventTimeLag" || canonical == "currentFetchEventTimeLag" ||
           canonical.ends_with("millisBehindLatest");
  }
  if (value <= kLongMin) return canonical.ends_with("Watermark");
  return false;
}

}  // namespace vitals::flink
