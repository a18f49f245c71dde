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
  RestartsSample sample;
  sample.restarts = counter_.Observe(interval);
  sample.running = lifecycle_->running_share();
  if (Has(sample.restarts) || Has(sample.running)) {
    Keep(interval, sample);
  }
}

v1::DimensionScore RestartsDimension::Score(const EvalContext& ctx) const {
  Figure restart_counts, running;
  const uint32_t intervals = ForEachJudged(ctx, [&](const Entry& e) {
    restart_counts.Add(e.value.restarts);
    running.Add(e.value.running);
  });
  if (intervals < ctx.min_intervals) {
    return NotEnoughData(ctx, absl::StrCat("not enough data: job state reported in ", intervals,
                                           " of the last intervals"));
  }
  const double restarts = restart_counts.total();
  const double not_running = running.count > 0 ? 1.0 - running.mean() : kMissing;
  const std::string unit = absl::StrCat("restarts/", WindowUnit(ctx));
  const Signal signals[] = {
      {restarts, &config().restarts, unit},
      {not_running, &config().not_running_share, "ratio"},
  };
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);

  std::string text = out.state() == v1::DIMENSION_STATE_OK ? "job up" : "job unstable";
  if (Has(restarts)) {
    absl::StrAppend(&text, ": ", restarts == 0 ? "no" : Quantity(restarts),
                    restarts == 1 ? " restart in " : " restarts in ", WindowText(ctx));
  } else {
    absl::StrAppend(&text, ": restart count not reported");
  }
  if (Has(not_running)) {
    if (not_running > 0) {
      absl::StrAppend(&text, "; not running ", Percent(not_running), " of the time");
    }
    const double now = NewestJudged(ctx)->value.running;
    if (Has(now)) absl::StrAppend(&text, now >= 0.5 ? "; running now" : "; NOT running now");
  }
  out.set_explanation(std::move(text));
  return out;
}

}  // namespace vitals::scorer
