#pragma once

// cpu: JVM CPU load (Status.JVM.CPU.Load, 0..1 of the CPUs the JVM sees) of
// the busiest TaskManager, averaged over the window. Above the Flink
// autoscaler's target utilisation (0.7) a TaskManager has no headroom left
// to catch up after a restart or a spike. Low load is not penalised.

#include <string_view>

#include "scorer/dimensions/dimension.h"
#include "scorer/window/sample_window.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct CpuConfig {
  bool enabled = true;
  double weight = 0.5;
  Band load{0.5, 0.7, 0.9, 1.0};
};

class CpuDimension : public Dimension {
 public:
  explicit CpuDimension(const CpuConfig* config) : config_(config) {}
  std::string_view name() const override { return "cpu"; }
  double weight() const override { return config_->weight; }
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  void Trim(int64_t window_start_ms) override { samples_.DropBefore(window_start_ms); }
  v1::DimensionScore Score(const EvalContext& ctx) const override;

 private:
  const CpuConfig* config_;
  SampleWindow<double> samples_;
  // The newest interval's: whether the TaskManagers run other jobs too.
  ProcessSharing sharing_;
};

}  // namespace vitals::scorer
