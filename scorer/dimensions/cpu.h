#pragma once

// cpu: JVM CPU load (Status.JVM.CPU.Load, 0..1 of the CPUs the JVM sees) of
// the busiest TaskManager, averaged over the window. Above the Flink
// autoscaler's target utilisation (0.7) a TaskManager has no headroom left
// to catch up after a restart or a spike. Low load is not penalised.

#include <string_view>

#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/merged_interval.h"

namespace vitals::scorer {

struct CpuConfig {
  bool enabled = true;
  double weight = 0.5;
  Band load{0.5, 0.7, 0.9, 1.0};
};

class CpuDimension : public WindowedDimension<CpuConfig, double> {
 public:
  explicit CpuDimension(const CpuConfig* config) : WindowedDimension("cpu", config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;

 private:
  // The newest interval's: whether the TaskManagers run other jobs too.
  ProcessSharing sharing_;
};

}  // namespace vitals::scorer
