#pragma once

// Detects that a job (re)started, which opens a warm-up during which the
// dimensions a restart disturbs by design (catch-up lag, backpressure, CPU,
// GC, skew) are not judged. Signs of a restart in a closed interval:
//  - numRestarts (fullRestarts) increased;
//  - lastCheckpointRestoreTimestamp changed: the job restored state;
//  - the job id changed: a redeploy, or the move to another cluster;
//  - the job (re)entered RUNNING (job_lifecycle.h), at the time Flink's
//    runningTime / uptime says, when that is recent: at first sight, after
//    restarting or initializing, or a running time that started over.

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "scorer/dimensions/job_lifecycle.h"
#include "scorer/dimensions/restarts.h"
#include "scorer/window/merged_interval.h"

namespace vitals::scorer {

class WarmupTracker {
 public:
  explicit WarmupTracker(absl::Duration warmup) : warmup_ms_(absl::ToInt64Milliseconds(warmup)) {}

  // The metrics it reads besides the job lifecycle's.
  static void DeclareReads(MetricSelector& reads);
  // `lifecycle` has observed `interval` already.
  void Observe(const MergedInterval& interval, const JobLifecycleTracker& lifecycle);
  // From a restored state: a different job id later is a restart.
  void set_last_job_id(std::string job_id) { last_job_id_ = std::move(job_id); }

  // Forgets restarts whose warm-up ended before `window_start_ms`.
  void Trim(int64_t window_start_ms);
  // Starts of the (re)starts whose warm-up may overlap the window, oldest first.
  std::span<const int64_t> restarts() const { return restarts_; }
  int64_t warmup_ms() const { return warmup_ms_; }
  // What the last restart was recognised by.
  std::string_view reason() const { return reason_; }

 private:
  void Restarted(int64_t at_ms, std::string_view reason);

  int64_t warmup_ms_;
  std::string last_job_id_;
  double last_restore_ms_ = kMissing;
  RestartCounter restart_counter_;
  std::vector<int64_t> restarts_;
  std::string reason_;
};

}  // namespace vitals::scorer
