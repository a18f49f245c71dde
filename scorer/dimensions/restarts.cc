#include "scorer/dimensions/restarts.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {
double RestartCounter::Observe(const MergedInterval& interval) {
  const double num = CounterIncrease(interval, "numRestarts", &previous_num_);
  if (Has(num)) return num;
  return CounterIncrease(interval, "fullRestarts", &previous_full_);
}

void RestartsDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName("numRestarts");
  reads.AddName("fullRestarts");
}

void RestartsDimension::Observe(const MergedInterval& interval) {
  Sample sample;
  sample.restarts = counter_.Observe(interval);
  sample.running = lifecycle_->running_share();
  if (Has(sample.restarts) || Has(sample.running)) {
    samples_.Push(interval.start_ms(), interval.end_ms(), sample);
  }
}

v1::DimensionScore RestartsDimension::Score(const EvalContext& ctx) const {
  double restarts = 0, running_sum = 0;
  int restart_intervals = 0, running_intervals = 0;
  for (const auto& e : samples_) {
    if (Has(e.value.restarts)) {
      restarts += e.value.restarts;
      ++restart_intervals;
    }
    if (Has(e.value.running)) {
      running_sum += e.value.running;
      ++running_intervals;
    }
  }
  if (samples_.size() < ctx.min_intervals) {
    return UnknownGrade(name(), weight(),
                        absl::StrCat("not enough data: job state reported in ", samples_.size(),
                                     " of the last intervals"));
  }
  const double not_running =
      running_intervals > 0 ? 1.0 - running_sum / running_intervals : kMissing;
  const std::string unit = absl::StrCat("restarts/", WindowUnit(ctx));
  const Signal signals[] = {
      {restart_intervals > 0 ? restarts : kMissing, &config_->restarts, unit},
      {not_running, &config_->not_running_share, "ratio"},
  };
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);

  std::string text = out.state() == v1::DIMENSION_STATE_OK ? "job up" : "job unstable";
  if (restart_intervals > 0) {
    absl::StrAppend(&text, ": ", restarts == 0 ? "no" : Quantity(restarts),
                    restarts == 1 ? " restart in " : " restarts in ", WindowText(ctx));
  } else {
    absl::StrAppend(&text, ": restart count not reported");
  }
  if (Has(not_running)) {
    if (not_running > 0) {
      absl::StrAppend(&text, "; not running ", Percent(not_running), " of the time");
    }
    const double now = samples_.back().value.running;
    if (Has(now)) absl::StrAppend(&text, now >= 0.5 ? "; running now" : "; NOT running now");
  }
  out.set_explanation(std::move(text));
  return out;
}

}  // namespace vitals::scorer
