#pragma once

// Faults the simulator can switch on per job. Each drives the metrics that
// one health dimension reads (flink-metrics.md) and leaves the others healthy.

#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::sim {

enum class FaultKind {
  // Upstream tasks back-pressured (~600–900 ms/s), the last task busy ~1000,
  // output pools full, throughput down.
  kBackpressure,
  // Every checkpoint fails: failed count grows, completed stalls, long durations.
  kCheckpointFailure,
  // The job fails and restarts frequently (RUNNING → RESTARTING → RUNNING);
  // in application mode a TaskManager pod is replaced each time, in a
  // session cluster the tasks restart on the same TaskManagers.
  kRestarts,
  // TaskManagers spend ~300 ms of every second in GC (the JVM's: every
  // TaskManager running a subtask of the job, whichever jobs it also runs).
  kGcPressure,
  // TaskManager JVM CPU load ~0.95+ (likewise JVM-wide).
  kCpuSaturation,
  // Kafka source falls behind: lag, pendingRecords and event-time lag grow.
  kSourceLag,
  // One subtask of the keyed stage receives ~10x the records of the others.
  kSkew,
};

inline constexpr int kNumFaultKinds = 7;

inline constexpr FaultKind kAllFaultKinds[] = {
    FaultKind::kBackpressure, FaultKind::kCheckpointFailure, FaultKind::kRestarts,
    FaultKind::kGcPressure,   FaultKind::kCpuSaturation,     FaultKind::kSourceLag,
    FaultKind::kSkew};

// "backpressure", "checkpoint_failure", "restarts", "gc_pressure",
// "cpu_saturation", "source_lag", "skew".
std::string_view FaultKindName(FaultKind kind);

absl::StatusOr<FaultKind> ParseFaultKind(std::string_view name);

}  // namespace vitals::sim
