#pragma once

// The statistics of one aggregate series over one interval, as the
// aggregator folds its source series in: one value per source series
// (its last value, or its delta for counters), or one set of quantiles per
// source series for summaries.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

struct QuantileValue {
  std::string_view quantile;  // as the reporter wrote it, e.g. "0.99"
  double value = 0;
};

class SeriesAccumulator {
 public:
  explicit SeriesAccumulator(int64_t interval_start_ms) : interval_start_ms_(interval_start_ms) {}

  int64_t interval_start_ms() const { return interval_start_ms_; }

  // One source series' value. On equal timestamps the later call wins
  // `last`, the rule MergeInto applies between gateways.
  void AddValue(double value, int64_t timestamp_ms);
  // Records the value under the series' instance (only for skew metrics).
  void AddInstance(std::string_view instance, double value);
  // A counter series seen for the first time: no delta yet.
  void AddBaseline() { ++baselined_; }
  // One source series' quantiles: min/max are its smallest/largest quantile
  // (q0/q1 when reported), each quantile keeps its maximum over series.
  void AddSummary(std::span<const QuantileValue> quantiles);

  // Fills the statistics of `out`; identity fields stay untouched.
  void WriteTo(v1::SeriesAggregate& out) const;

 private:
  int64_t interval_start_ms_;
  uint64_t count_ = 0;
  uint64_t baselined_ = 0;
  double sum_ = 0;
  double sum_squares_ = 0;
  double min_ = 0;
  double max_ = 0;
  double last_ = 0;
  int64_t last_timestamp_ms_ = 0;
  std::vector<std::pair<std::string, double>> instances_;
  std::vector<std::pair<std::string, double>> quantile_max_;
};

}  // namespace vitals::gateway
