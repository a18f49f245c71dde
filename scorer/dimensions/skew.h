#pragma once

// skew: how unevenly an operator's subtasks share its input. Per operator
// and interval, Flink 1.20's REST formula over the subtasks'
// numRecordsInPerSecond: min(100, mean(|x_i − mean|) / mean × 100), 0 when
// the mean is 0, so the figure matches Flink's UI. The worst operator per
// interval, averaged over the window. Operators with one subtask, or with
// less than `min_rate` records/s in total (noise), are not judged.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct SkewConfig {
  bool enabled = true;
  double weight = 0.5;
  // Percent. Dr. Elephant's max/median severities 1.33/1.78/3.16/10 are
  // 7/16/37/93% in this formula for one hot subtask of 8; the anchors are
  // looser because 12 partitions on 8 subtasks already give 33%.
  Band percent{10, 20, 50, 90};
  double min_rate = 10;
};

// Flink 1.20's data skew percentage of a set of per-subtask rates.
double SkewPercent(std::span<const double> rates);

// The most skewed operator of one interval.
struct SkewSample {
  double percent = kMissing;
  double max_rate = kMissing;
  double mean_rate = kMissing;
  std::string op;
};

class SkewDimension : public WindowedDimension<SkewConfig, SkewSample> {
 public:
  explicit SkewDimension(const SkewConfig* config) : WindowedDimension("skew", config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;

 private:
  // Scratch space reused across intervals.
  std::vector<std::pair<std::string_view, double>> by_subtask_;
  std::vector<double> rates_;
};

}  // namespace vitals::scorer
