#pragma once

// latency: is the job keeping up with its sources? Two signals, the worst
// decides, each taken as the smallest value over the last `sustain` (a lag
// must persist to count, as Alibaba's advisor requires currentEmitEventTimeLag
// >= 180 s for 3 periods):
//  - event-time lag, seconds: max over sources of currentEmitEventTimeLag,
//    watermarkLag and Kinesis millisBehindLatest;
//  - backlog, seconds to catch up: per source operator, records pending
//    (pendingRecords; before FLIP-33 the Kafka consumer's records-lag-max
//    summed over subtasks) divided by the operator's input rate, the worst
//    operator decides (the Flink autoscaler's lag / rate; it calls > 5 min a
//    backlog).
// Latency markers are not used: they are off by default and miss the time
// records spend inside operators.

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct LatencyConfig {
  bool enabled = true;
  double weight = 1.5;
  absl::Duration sustain = absl::Minutes(1);
  Band event_time_lag_seconds{5, 30, 180, 900};
  Band backlog_seconds{5, 30, 300, 1800};
};

// One interval's event-time lag and worst source backlog.
struct LatencySample {
  double event_lag_s = kMissing;
  // Worst source operator: seconds to catch up (+Inf: records pending
  // and nothing read), its pending records, input rate and name.
  double backlog_s = kMissing;
  double pending = kMissing;
  double rate = kMissing;
  std::string source;
};

class LatencyDimension : public WindowedDimension<LatencyConfig, LatencySample> {
 public:
  explicit LatencyDimension(const LatencyConfig* config) : WindowedDimension("latency", config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;
};

}  // namespace vitals::scorer
