#pragma once

// gc: share of time the worst TaskManager spends in garbage collection,
// averaged over the window. Flink 1.19+ reports it directly
// (Status.JVM.GarbageCollector.All.TimeMsPerSecond); before, it is the
// increase of Σ <collector>.Time per interval. The folded aggregate keeps
// the largest per-TM increase of each collector, so older versions give an
// upper bound (the collectors' maxima may come from different TMs).
// Thresholds are Dr. Elephant's GC ratio severities.

#include <string_view>

#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/merged_interval.h"

namespace vitals::scorer {

struct GcConfig {
  bool enabled = true;
  double weight = 1.0;
  Band time_share{0.08, 0.10, 0.15, 0.20};
};

// Share (0..1) of the interval the worst TaskManager spent in GC.
double GcShareOf(const MergedInterval& interval);

class GcDimension : public WindowedDimension<GcConfig, double> {
 public:
  explicit GcDimension(const GcConfig* config) : WindowedDimension("gc", config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;

 private:
  // The newest interval's: whether the TaskManagers run other jobs too.
  ProcessSharing sharing_;
};

}  // namespace vitals::scorer
