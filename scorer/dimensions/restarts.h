#pragma once

// restarts: is the job staying up? Counts restarts in the window
// (numRestarts, or fullRestarts before Flink 1.10) and the share of the
// window the job was not RUNNING (the job's lifecycle: job_lifecycle.h).
// Time a job spent finished or being canceled is not counted against it.
// Never suppressed by the warm-up: a crash loop restarts into a new
// warm-up every time and must still show.

#include <string_view>

#include "scorer/dimensions/job_lifecycle.h"
#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct RestartsConfig {
  bool enabled = true;
  double weight = 2.0;
  // Restarts per window (defaults for a 5 min window): Alibaba's advisor
  // pages on one failover per minute, so 5 in 5 min is critical.
  Band restarts{0, 1, 5, 15};
  // Share of the window the job was not RUNNING.
  Band not_running_share{0, 0.1, 0.5, 1.0};
};

// The increase of numRestarts (fullRestarts as a fallback) in one interval.
// Keeps the previous cumulative value for gateways that forward the counter
// as a plain gauge.
class RestartCounter {
 public:
  double Observe(const MergedInterval& interval);

 private:
  double previous_num_ = kMissing;
  double previous_full_ = kMissing;
};

// One interval's restarts and share of it the job was RUNNING.
struct RestartsSample {
  double restarts = kMissing;
  double running = kMissing;
};

class RestartsDimension : public WindowedDimension<RestartsConfig, RestartsSample> {
 public:
  // `lifecycle` has observed each interval before this dimension does, and
  // outlives it.
  RestartsDimension(const RestartsConfig* config, const JobLifecycleTracker* lifecycle)
      : WindowedDimension("restarts", config), lifecycle_(lifecycle) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;
  bool waits_for_warmup() const override { return false; }

 private:
  const JobLifecycleTracker* lifecycle_;
  RestartCounter counter_;
};

}  // namespace vitals::scorer
