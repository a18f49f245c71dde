#include "scorer/model/warmup.h"

#include <algorithm>

#include "scorer/window/series_values.h"

namespace vitals::scorer {
namespace {

// Newest value of a job-scope gauge (one JobManager reports it).
double JobGauge(const MergedInterval& interval, std::string_view metric) {
  double v = kMissing;
  for (const v1::SeriesAggregate* s : interval.Find(metric)) {
    const double last = LastOf(*s);
    if (Has(last)) v = Has(v) ? std::max(v, last) : last;
  }
  return v;
}

}  // namespace

void WarmupTracker::DeclareReads(MetricSelector& reads) {
  reads.AddName("numRestarts");
  reads.AddName("fullRestarts");
  reads.AddName("lastCheckpointRestoreTimestamp");
}

void WarmupTracker::Restarted(int64_t at_ms, std::string_view reason) {
  // Signs of one restart arrive in different intervals (a restore
  // timestamp a little before the restart counter): keep them ordered.
  auto it = std::lower_bound(restarts_.begin(), restarts_.end(), at_ms);
  if (it != restarts_.end() && *it == at_ms) return;
  const bool newest = it == restarts_.end();
  restarts_.insert(it, at_ms);
  if (newest) reason_ = std::string(reason);
}

void WarmupTracker::Trim(int64_t window_start_ms) {
  auto it = restarts_.begin();
  while (it != restarts_.end() && *it + warmup_ms_ <= window_start_ms) ++it;
  restarts_.erase(restarts_.begin(), it);
}

void WarmupTracker::Observe(const MergedInterval& interval, const JobLifecycleTracker& lifecycle) {
  const std::string& job_id = interval.job_id();
  if (!job_id.empty()) {
    if (!last_job_id_.empty() && job_id != last_job_id_) {
      Restarted(interval.start_ms(), "new job id");
    }
    last_job_id_ = job_id;
  }

  const double restarts = restart_counter_.Observe(interval);
  if (Has(restarts) && restarts > 0) Restarted(interval.start_ms(), "restart");

  // -1 (or absent) until the job restores from a checkpoint or savepoint.
  const double restore = JobGauge(interval, "lastCheckpointRestoreTimestamp");
  if (Has(restore) && restore > 0) {
    const auto at = std::min<int64_t>(static_cast<int64_t>(restore), interval.end_ms());
    const bool changed = Has(last_restore_ms_) && restore != last_restore_ms_;
    const bool recent_at_first_sight =
        !Has(last_restore_ms_) && interval.end_ms() - at < warmup_ms_;
    if (changed || recent_at_first_sight) Restarted(at, "restored from a checkpoint");
    last_restore_ms_ = restore;
  }

  // Entering RUNNING long before (a job first seen after hours) is no
  // restart to warm up from.
  const int64_t running_from = lifecycle.entered_running_at_ms();
  if (running_from >= 0 && interval.end_ms() - running_from < warmup_ms_) {
    const bool first_sight = lifecycle.entered_running_from() == JobLifecycle::kNotReporting;
    Restarted(std::min(running_from, interval.end_ms()),
              first_sight ? "just started" : "running again");
  }
}

}  // namespace vitals::scorer
