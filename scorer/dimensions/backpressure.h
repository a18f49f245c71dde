#pragma once

// backpressure: how much of the time tasks wait for downstream capacity.
// Two signals, the worst decides, both averaged over the window:
//  - worst task: backPressuredTimeMsPerSecond / 1000, max over a task's
//    subtasks, max over tasks — the ratio and levels of Flink's web UI
//    (OK <= 0.10, LOW <= 0.50, HIGH above);
//  - job-wide share: the mean over all subtasks of all tasks, so a pipeline
//    throttled everywhere a little is not hidden by a per-task view.
// Before Flink 1.13 the ratio is the share of subtasks whose isBackPressured
// gauge was 1, per task. The explanation names the likely bottleneck: the
// busiest task (busyTimeMsPerSecond, or 1000 − idleTimeMsPerSecond in 1.11–
// 1.12, where idle time includes backpressured time), as the Flink
// autoscaler aggregates busy time with MAX.

#include <string>
#include <string_view>

#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct BackpressureConfig {
  bool enabled = true;
  double weight = 1.0;
  Band worst_task{0.05, 0.10, 0.50, 1.0};
  Band job_share{0.02, 0.05, 0.25, 0.5};
};

// One interval's worst task, job-wide share and busiest task (ratios).
struct BackpressureSample {
  double worst = kMissing;
  double job_share = kMissing;
  double busiest = kMissing;
  std::string worst_task;
  std::string busiest_task;
};

class BackpressureDimension : public WindowedDimension<BackpressureConfig, BackpressureSample> {
 public:
  explicit BackpressureDimension(const BackpressureConfig* config)
      : WindowedDimension("backpressure", config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;
};

}  // namespace vitals::scorer
