#pragma once

// The interface every health dimension implements, and what an evaluation
// tells it. A dimension digests each closed interval once (Observe), keeps
// its samples for the sliding window, and grades the window on demand.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "scorer/dimensions/band.h"
#include "scorer/window/merged_interval.h"
#include "scorer/window/metric_selector.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

struct EvalContext {
  // End of the newest closed interval: "now" for the data.
  int64_t window_end_ms = 0;
  // window_end_ms − window: samples of intervals starting earlier are gone.
  int64_t window_start_ms = 0;
  absl::Duration window = absl::Minutes(5);
  // A dimension with fewer intervals of data than this is UNKNOWN.
  uint32_t min_intervals = 3;
  // Length of the warm-up after each (re)start.
  int64_t warmup_ms = 0;
  // Starts of the (re)starts whose warm-up may still overlap the window,
  // oldest first.
  std::span<const int64_t> restarts;

  // Start of the newest (re)start, 0 when none was seen.
  int64_t restart_at_ms() const { return restarts.empty() ? 0 : restarts.back(); }
  // When the newest warm-up ends.
  int64_t settled_since_ms() const { return restarts.empty() ? 0 : restarts.back() + warmup_ms; }
  bool warming_up() const { return settled_since_ms() > window_end_ms; }
  // False for an interval inside a warm-up: dimensions that a restart
  // disturbs by design (catch-up lag, backpressure, CPU, GC, skew) skip it.
  bool Settled(int64_t interval_start_ms) const;
};

class Dimension {
 public:
  virtual ~Dimension() = default;
  virtual std::string_view name() const = 0;
  virtual double weight() const = 0;
  // The metrics (canonical names, common/flink/catalog.h) it reads: the
  // scorer keeps those of a batch and drops the rest.
  virtual void DeclareReads(MetricSelector& reads) const = 0;
  // Digests one closed interval (every gateway merged), oldest first.
  virtual void Observe(const MergedInterval& interval) = 0;
  // Forgets samples of intervals that started before `window_start_ms`.
  virtual void Trim(int64_t window_start_ms) = 0;
  virtual v1::DimensionScore Score(const EvalContext& ctx) const = 0;
  // Whether the dimension skips warm-up intervals (see EvalContext::Settled).
  virtual bool waits_for_warmup() const { return true; }
};

// One measured figure of a dimension and its thresholds. A dimension with
// several signals takes the worst one: each names a way the job can fail.
struct Signal {
  double value = 0;
  const Band* band = nullptr;
  std::string_view unit;
};

// The dimension's grade from its signals (NaN values skipped): score,
// observed value and unit of the worst one, state and weight. UNKNOWN when
// no signal has a value. The caller writes the explanation; `worst`, when
// given, receives the index of the deciding signal (-1 for none).
v1::DimensionScore GradeSignals(std::string_view dimension, double weight,
                                std::span<const Signal> signals, int* worst = nullptr);

// An UNKNOWN grade with its reason.
v1::DimensionScore UnknownGrade(std::string_view dimension, double weight, std::string reason);

// The window's length for explanations ("5 min") and units ("restarts/5m").
std::string WindowText(const EvalContext& ctx);
std::string WindowUnit(const EvalContext& ctx);

}  // namespace vitals::scorer
