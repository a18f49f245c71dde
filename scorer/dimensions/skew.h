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

#include "scorer/dimensions/dimension.h"
#include "scorer/window/sample_window.h"
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

class SkewDimension : public Dimension {
 public:
  explicit SkewDimension(const SkewConfig* config) : config_(config) {}
  std::string_view name() const override { return "skew"; }
  double weight() const override { return config_->weight; }
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  void Trim(int64_t window_start_ms) override { samples_.DropBefore(window_start_ms); }
  v1::DimensionScore Score(const EvalContext& ctx) const override;

 private:
  struct Sample {
    double percent = kMissing;
    double max_rate = kMissing;
    double mean_rate = kMissing;
    std::string op;
  };
  const SkewConfig* config_;
  SampleWindow<Sample> samples_;
  // Scratch space reused across intervals.
  std::vector<std::pair<std::string_view, double>> by_subtask_;
  std::vector<double> rates_;
};

}  // namespace vitals::scorer
