#pragma once

// A dimension declared in the config: one metric, how to fold it over the
// window, its thresholds and weight. The series of the metric (optionally
// of one scope and with given label values) are folded per interval, then
// over the window:
//   mean  Σ values / number of values        max / min  extreme value
//   sum   Σ values (counters: Σ increases)   rate       sum / window seconds
//   last  newest value
// Values that are NaN or ±Inf are missing, negative ones too unless
// `negative_is_missing` is off (Flink's "undefined" is −1).

#include <map>
#include <string>
#include <string_view>

#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

enum class Aggregation { kMean, kMax, kMin, kSum, kRate, kLast };
std::string_view AggregationName(Aggregation a);
bool ParseAggregation(std::string_view text, Aggregation* out);

struct UserDefinedConfig {
  std::string name;
  // Canonical metric name, e.g. `numRecordsOutErrorsPerSecond`.
  std::string metric;
  // SCOPE_UNSPECIFIED: any scope.
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  // Only series with these label values.
  std::map<std::string, std::string> labels;
  Aggregation aggregation = Aggregation::kMean;
  Band band;
  double weight = 1.0;
  std::string unit;
  bool negative_is_missing = true;
  // Wait for the warm-up like the catch-up-sensitive dimensions.
  bool warmup = true;
};

// The metric's matching series folded over one interval.
struct UserDefinedSample {
  double sum = 0;
  double count = 0;
  double min = kMissing;
  double max = kMissing;
  double last = kMissing;
  int64_t last_ms = 0;
};

class UserDefinedDimension : public WindowedDimension<UserDefinedConfig, UserDefinedSample> {
 public:
  explicit UserDefinedDimension(const UserDefinedConfig* config)
      : WindowedDimension(config->name, config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;
  bool waits_for_warmup() const override { return config().warmup; }

 private:
  bool Matches(const v1::SeriesAggregate& s) const;
};

}  // namespace vitals::scorer
