#pragma once

// The job's lifecycle state (Flink's JobStatus) as its JobManager reports
// it, interval by interval. Flink's sources, by version:
//  - 1.15+ (`JobStatusMetrics`): for each non-terminal status other than
//    RECONCILING — initializing, created, running, failing, cancelling,
//    restarting — the gauges `<status>State` (1 while current),
//    `<status>Time` (ms since entering it while current, else 0) and
//    `<status>TimeTotal` (ms spent in it so far), the status spelled in
//    lower case. `metrics.job.status.enable` picks which kinds are sent and
//    defaults to CURRENT_TIME alone: out of the box only `<status>Time`
//    arrives, the non-zero one naming the current state.
//  - 1.10–1.19 (`UpTimeGauge`, `DownTimeGauge`; gone in 2.0): `uptime` is
//    the ms since RUNNING while running, -1 once terminal, else 0;
//    `downtime` the ms since FAILING while failing or restarting, -1 once
//    terminal, else 0.
// Terminal states (failed, canceled, finished, suspended) have no gauge of
// their own: every `<status>Time` and `<status>State` reads 0, `uptime` -1.
// Which terminal state it was is inferred from the state before: failing
// or restarting ends in failed, cancelling in canceled, running in finished.

#include <cstdint>
#include <string_view>

#include "scorer/window/merged_interval.h"
#include "scorer/window/metric_selector.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

enum class JobLifecycle : uint8_t {
  kNotReporting,  // no job-status gauge in the recent intervals
  kInitializing,
  kCreated,
  kRunning,
  kRestarting,
  kFailing,
  kCancelling,
  kFailed,
  kCanceled,
  kFinished,
};

// Lower-case names as in the report: "running", "not_reporting", …
std::string_view JobLifecycleName(JobLifecycle state);
// Finished or canceled: the job ended as its owner wanted; it is not graded.
bool EndedOnPurpose(JobLifecycle state);
// Failed, canceled or finished.
bool IsTerminal(JobLifecycle state);

class JobLifecycleTracker {
 public:
  // Intervals in a row without any job-status gauge before the state turns
  // to not_reporting (a single late JobManager batch must not flip it).
  static constexpr int kSilentIntervals = 3;

  // The job-status gauges it reads.
  static void DeclareReads(MetricSelector& reads);
  // Digests one closed interval, oldest first.
  void Observe(const MergedInterval& interval);

  JobLifecycle state() const { return state_; }
  // When the job entered state(), epoch ms (0 before any interval).
  int64_t since_ms() const { return since_ms_; }
  // Share (0..1) of the newest interval the job was RUNNING; kMissing when
  // unknown or when the job ended on purpose (not a failure to run).
  double running_share() const { return running_share_; }
  // When the newest interval saw the job (re)enter RUNNING — from
  // restarting, created, initializing or failing, or at first sight —
  // the time it did, else -1.
  int64_t entered_running_at_ms() const { return entered_running_at_ms_; }
  // The state it came from then (not_reporting at first sight).
  JobLifecycle entered_running_from() const { return entered_running_from_; }

 private:
  // What one interval's gauges say.
  struct Reading {
    bool has = false;
    bool ended = false;
    JobLifecycle state = JobLifecycle::kNotReporting;
    // ms in `state` at `at_ms`, when a gauge tells; negative otherwise.
    double in_state_ms = -1;
    int64_t at_ms = 0;
  };
  Reading Read(const MergedInterval& interval);
  void Enter(JobLifecycle state, int64_t since_ms);

  JobLifecycle state_ = JobLifecycle::kNotReporting;
  int64_t since_ms_ = 0;
  // Whether any interval, or any with a job-status gauge, was observed.
  bool seen_any_ = false;
  bool seen_state_ = false;
  // Intervals in a row without a job-status gauge, and the first one's start.
  int silent_intervals_ = 0;
  int64_t silent_since_ms_ = 0;
  double running_share_ = kMissing;
  int64_t entered_running_at_ms_ = -1;
  JobLifecycle entered_running_from_ = JobLifecycle::kNotReporting;
  // `<status>TimeTotal` of each gauge status in the previous interval
  // (negative: not seen), for a job that sends only the totals.
  double previous_totals_[6] = {-1, -1, -1, -1, -1, -1};
};

}  // namespace vitals::scorer
