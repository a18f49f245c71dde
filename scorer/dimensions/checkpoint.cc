#include "scorer/dimensions/checkpoint.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {
namespace {

// Weight of a new gap in the cadence estimate: a few attempts settle it, one
// odd gap does not swing it.
constexpr double kCadenceSmoothing = 0.3;

double Or0(double v) { return Has(v) ? v : 0.0; }

}  // namespace

void CheckpointDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName("numberOfCompletedCheckpoints");
  reads.AddName("numberOfFailedCheckpoints");
  reads.AddName("lastCheckpointDuration");
}

void CheckpointDimension::Observe(const MergedInterval& interval) {
  CheckpointSample sample;
  sample.completed =
      CounterIncrease(interval, "numberOfCompletedCheckpoints", &previous_completed_);
  sample.failed = CounterIncrease(interval, "numberOfFailedCheckpoints", &previous_failed_);
  for (const v1::SeriesAggregate* s : interval.Find("lastCheckpointDuration")) {
    const double d = NonNegativeMaxOf(*s);
    if (Has(d)) sample.duration_ms = Has(sample.duration_ms) ? std::max(sample.duration_ms, d) : d;
  }
  if (!Has(sample.completed) && !Has(sample.failed)) return;
  if (first_seen_ms_ == 0) first_seen_ms_ = interval.start_ms();

  const double attempts = Or0(sample.completed) + Or0(sample.failed);
  if (attempts > 0) {
    double gap = kMissing;
    if (last_attempt_end_ms_ > 0) {
      gap = static_cast<double>(interval.end_ms() - last_attempt_end_ms_) / attempts;
    } else if (attempts >= 2) {
      gap = static_cast<double>(interval.length_ms()) / attempts;
    }
    if (Has(gap)) {
      cadence_ms_ = Has(cadence_ms_) ? cadence_ms_ + kCadenceSmoothing * (gap - cadence_ms_) : gap;
    }
    last_attempt_end_ms_ = interval.end_ms();
  }
  if (Or0(sample.completed) > 0) last_completed_end_ms_ = interval.end_ms();
  Keep(interval, sample);
}

v1::DimensionScore CheckpointDimension::Score(const EvalContext& ctx) const {
  Figure completions, failures, durations;
  const uint32_t intervals = ForEachJudged(ctx, [&](const Entry& e) {
    completions.Add(e.value.completed);
    failures.Add(e.value.failed);
    durations.Add(e.value.duration_ms);
  });
  if (intervals < ctx.min_intervals) {
    return NotEnoughData(ctx, "not enough data: checkpoint counters missing");
  }
  const double completed = completions.sum, failed = failures.sum;
  const double attempts = completed + failed;
  const bool ever_completed = last_completed_end_ms_ > 0;
  if (attempts == 0 && !ever_completed) {
    return UnknownGrade(name(), weight(),
                        absl::StrCat("no checkpoint completed or failed in ", WindowText(ctx),
                                     " (checkpointing disabled?)"));
  }

  const double failed_share = attempts > 0 ? failed / attempts : kMissing;

  // A restart does not reset the clock: the job recovers from the last
  // completed checkpoint, however old.
  const int64_t since = ever_completed ? last_completed_end_ms_ : first_seen_ms_;
  const double stale_s = static_cast<double>(ctx.window_end_ms - since) / 1000.0;
  Band staleness = config().staleness_seconds;
  const bool cadence_known = Has(cadence_ms_);
  if (cadence_known) {
    const double c = cadence_ms_ / 1000.0;
    staleness.ideal = std::max(staleness.ideal, 1.0 * c);
    staleness.good = std::max(staleness.good, 1.5 * c);
    staleness.bad = std::max(staleness.bad, 2.0 * c);
    staleness.worst = std::max(staleness.worst, 4.0 * c);
  }
  // Without a cadence a long gap may just be a long interval; failures
  // mean checkpoints are due, so then staleness counts regardless.
  const bool judge_staleness = cadence_known || failed > 0;
  const double mean_duration = durations.mean();
  const double duration_ratio =
      cadence_known && Has(mean_duration) ? mean_duration / cadence_ms_ : kMissing;

  const Signal signals[] = {
      {failed_share, &config().failed_share, "ratio"},
      {judge_staleness ? stale_s : kMissing, &staleness, "s"},
      {duration_ratio, &config().duration_ratio, "ratio"},
  };
  int worst = -1;
  v1::DimensionScore out = GradeSignals(name(), weight(), signals, &worst);

  std::string text;
  if (out.state() == v1::DIMENSION_STATE_OK) {
    text = "checkpoints healthy";
  } else if (worst == 0) {
    text = "checkpoints failing";
  } else if (worst == 1) {
    text = "checkpoints stalled";
  } else {
    text = "checkpoints slow";
  }
  if (attempts > 0) {
    if (failed > 0) {
      absl::StrAppend(&text, ": ", Quantity(failed), " of ", Quantity(attempts), " failed in ",
                      WindowText(ctx));
    } else {
      absl::StrAppend(&text, ": ", Quantity(completed), " completed in ", WindowText(ctx));
    }
  } else {
    absl::StrAppend(&text, ": none attempted in ", WindowText(ctx));
  }
  if (ever_completed) {
    absl::StrAppend(&text, "; last success ",
                    Ago(static_cast<double>(ctx.window_end_ms - last_completed_end_ms_)));
  } else {
    absl::StrAppend(&text, "; none completed in ", Duration(stale_s * 1000.0));
  }
  if (Has(mean_duration)) {
    absl::StrAppend(&text, "; taking ", Duration(mean_duration));
    if (cadence_known) absl::StrAppend(&text, " every ~", Duration(cadence_ms_));
  }
  out.set_explanation(std::move(text));
  return out;
}

}  // namespace vitals::scorer
