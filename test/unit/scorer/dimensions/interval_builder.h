#pragma once

// Builds MergedIntervals by hand for dimension tests: each Add folds the
// given per-source values into one series, as the gateways and the merge
// would have.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "scorer/dimensions/dimension.h"
#include "scorer/window/merged_interval.h"

namespace vitals::scorer::testing {

inline constexpr int64_t kT0 = 1'700'000'000'000;
inline constexpr int64_t kInterval = 10'000;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Labels = std::map<std::string, std::string>;

class IntervalBuilder {
 public:
  // The interval with index `i` after kT0.
  explicit IntervalBuilder(int i) : start_(kT0 + i * kInterval) {}

  IntervalBuilder& Add(v1::Scope scope, std::string metric, v1::MetricKind kind,
                       const std::vector<double>& values, const Labels& labels = {},
                       bool instances = false) {
    v1::SeriesAggregate& s = series_.emplace_back();
    s.set_scope(scope);
    s.set_metric(std::move(metric));
    s.set_kind(kind);
    for (const auto& [k, v] : labels) (*s.mutable_labels())[k] = v;
    int subtask = 0;
    for (double v : values) {
      if (s.count() == 0) {
        s.set_min(v);
        s.set_max(v);
      } else {
        s.set_min(std::min(s.min(), v));
        s.set_max(std::max(s.max(), v));
      }
      s.set_count(s.count() + 1);
      s.set_sum(s.sum() + v);
      s.set_last(v);
      s.set_last_timestamp_ms(start_ + kInterval - 1);
      if (instances) {
        v1::InstanceValue* iv = s.add_instances();
        iv->set_instance(std::to_string(subtask));
        iv->set_value(v);
      }
      ++subtask;
    }
    return *this;
  }
  IntervalBuilder& Job(std::string metric, v1::MetricKind kind, double value) {
    return Add(v1::SCOPE_JOBMANAGER_JOB, std::move(metric), kind, {value});
  }
  // The job-status gauges as Flink 1.15+ sends them by default
  // (`metrics.job.status.enable: CURRENT_TIME`, JobStatusMetrics): one
  // `<status>Time` per non-terminal status but RECONCILING, the current
  // one (lower case, e.g. "running") at `ms_in_state`, the others at 0.
  // An empty `current` is a terminal state: every gauge at 0.
  IntervalBuilder& JobStatusTimes(std::string_view current, double ms_in_state) {
    for (std::string_view status :
         {"initializing", "created", "running", "failing", "cancelling", "restarting"}) {
      Job(std::string(status) + "Time", v1::METRIC_KIND_GAUGE, status == current ? ms_in_state : 0);
    }
    return *this;
  }

  MergedInterval Build() {
    return MergedInterval(start_, kInterval, "job", "k8s", std::move(series_));
  }

 private:
  int64_t start_;
  std::vector<v1::SeriesAggregate> series_;
};

// The context after interval `last` (index) closed, 5 min window.
inline EvalContext ContextAfter(int last, std::span<const int64_t> restarts = {},
                                int64_t warmup_ms = 120'000) {
  EvalContext ctx;
  ctx.window = absl::Minutes(5);
  ctx.window_end_ms = kT0 + (last + 1) * kInterval;
  ctx.window_start_ms = ctx.window_end_ms - 300'000;
  ctx.min_intervals = 3;
  ctx.warmup_ms = warmup_ms;
  ctx.restarts = restarts;
  return ctx;
}

// Observes intervals [0, n) made by `make(i)` and grades after the last.
template <typename Make>
v1::DimensionScore Feed(Dimension& d, int n, Make make, std::span<const int64_t> restarts = {}) {
  for (int i = 0; i < n; ++i) {
    MergedInterval interval = make(i);
    d.Observe(interval);
  }
  EvalContext ctx = ContextAfter(n - 1, restarts);
  d.Trim(ctx.window_start_ms);
  return d.Score(ctx);
}

}  // namespace vitals::scorer::testing
