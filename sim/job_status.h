#pragma once

// Flink's job lifecycle as the simulator models it, and the
// `metrics.job.status.enable` option that picks which of the job status
// gauges (JobStatusMetrics) a job registers.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::sim {

// org.apache.flink.api.common.JobStatus, in declaration order (the
// ordinal indexes kJobStatusNames and the per-status arrays).
enum class JobStatus : uint8_t {
  kInitializing,
  kCreated,
  kRunning,
  kFailing,
  kFailed,
  kCancelling,
  kCanceled,
  kFinished,
  kRestarting,
  kSuspended,
  kReconciling,
};

inline constexpr int kNumJobStatuses = 11;

// `status.name().toLowerCase(Locale.ROOT)`: the prefix of the job status
// gauges (`runningTime`, `cancellingTimeTotal`), indexed by ordinal.
inline constexpr std::string_view kJobStatusNames[kNumJobStatuses] = {
    "initializing", "created",  "running",    "failing",   "failed",     "cancelling",
    "canceled",     "finished", "restarting", "suspended", "reconciling"};

// JobStatus.isTerminalState(): FAILED, CANCELED, FINISHED (globally) and
// SUSPENDED (locally).
constexpr bool IsTerminal(JobStatus status) {
  return status == JobStatus::kFailed || status == JobStatus::kCanceled ||
         status == JobStatus::kFinished || status == JobStatus::kSuspended;
}

// JobStatusMetrics registers gauges only for these: not terminal, not
// RECONCILING.
constexpr bool HasStatusMetrics(JobStatus status) {
  return !IsTerminal(status) && status != JobStatus::kReconciling;
}

// The enum constant's name, as Flink logs and its REST API spell it ("RUNNING").
std::string_view JobStatusName(JobStatus status);

// How Fleet::EndJob ends a job.
enum class JobEnd {
  // All tasks finish (a bounded job): RUNNING → FINISHED.
  kFinished,
  // Cancelled by a user: → CANCELLING → CANCELED.
  kCanceled,
  // A failure the restart strategy gives up on: → FAILING → FAILED.
  kFailed,
};

// MetricOptions.JobStatusMetrics.
enum class JobStatusMetric : uint8_t {
  // `<status>State`: 1 while the job is in the status, else 0.
  kState,
  // `<status>Time`: ms since entering the status while in it, else 0.
  kCurrentTime,
  // `<status>TimeTotal`: cumulative ms spent in the status.
  kTotalTime,
};

// A value of `metrics.job.status.enable` (MetricOptions.JOB_STATUS_METRICS):
// a set of JobStatusMetric. Defaults, as Flink's option does, to
// CURRENT_TIME alone.
class JobStatusMetricSet {
 public:
  constexpr JobStatusMetricSet() = default;
  constexpr JobStatusMetricSet(std::initializer_list<JobStatusMetric> metrics) : bits_(0) {
    for (JobStatusMetric m : metrics) bits_ |= Bit(m);
  }

  // Flink's enum constant names, case-insensitive as Flink's configuration
  // reads enums, separated by `,` or by `;` (Flink's list separator):
  // "current_time", "STATE;TOTAL_TIME". Empty: no job status gauges.
  static absl::StatusOr<JobStatusMetricSet> Parse(std::string_view text);
  // No job status gauges at all.
  static constexpr JobStatusMetricSet None() { return JobStatusMetricSet(uint8_t{0}); }

  constexpr bool Has(JobStatusMetric metric) const { return (bits_ & Bit(metric)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  // Lower case, comma-separated, in declaration order ("state,current_time").
  std::string ToString() const;

  friend constexpr bool operator==(JobStatusMetricSet a, JobStatusMetricSet b) {
    return a.bits_ == b.bits_;
  }

 private:
  explicit constexpr JobStatusMetricSet(uint8_t bits) : bits_(bits) {}
  static constexpr uint8_t Bit(JobStatusMetric metric) {
    return static_cast<uint8_t>(1u << static_cast<int>(metric));
  }
  uint8_t bits_ = Bit(JobStatusMetric::kCurrentTime);
};

}  // namespace vitals::sim
