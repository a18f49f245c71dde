#include "scorer/dimensions/backpressure.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {
namespace {

bool TaskScope(const v1::SeriesAggregate& s) {
  return s.scope() == v1::SCOPE_TASKMANAGER_JOB_TASK || s.scope() == v1::SCOPE_UNSPECIFIED;
}

// Flink's web UI level names for a backpressure ratio.
const char* UiLevel(double ratio) {
  if (ratio <= 0.10) return "OK";
  if (ratio <= 0.50) return "LOW";
  return "HIGH";
}

}  // namespace

void BackpressureDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName("backPressuredTimeMsPerSecond");
  reads.AddName("isBackPressured");
  reads.AddName("busyTimeMsPerSecond");
  reads.AddName("idleTimeMsPerSecond");
}

void BackpressureDimension::Observe(const MergedInterval& interval) {
  BackpressureSample sample;
  double job_sum = 0, job_count = 0;
  bool have_time = false;
  for (const v1::SeriesAggregate* s : interval.Find("backPressuredTimeMsPerSecond")) {
    if (!TaskScope(*s)) continue;
    const double worst = NonNegativeMaxOf(*s);
    const double sum = NonNegativeSumOf(*s);
    if (!Has(worst)) continue;
    have_time = true;
    const double ratio = std::min(1.0, worst / 1000.0);
    if (!Has(sample.worst) || ratio > sample.worst) {
      sample.worst = ratio;
      sample.worst_task = std::string(TaskNameOf(*s));
    }
    if (Has(sum)) {
      job_sum += sum / 1000.0;
      job_count += static_cast<double>(s->count());
    }
  }
  if (!have_time) {
    // Flink <= 1.12: the isBackPressured gauge, sampled once per report.
    for (const v1::SeriesAggregate* s : interval.Find("isBackPressured")) {
      if (!TaskScope(*s)) continue;
      const double share = MeanOf(*s);
      if (!Has(share) || share < 0) continue;
      if (!Has(sample.worst) || share > sample.worst) {
        sample.worst = std::min(1.0, share);
        sample.worst_task = std::string(TaskNameOf(*s));
      }
      job_sum += s->sum();
      job_count += static_cast<double>(s->count());
    }
  }
  if (job_count > 0) sample.job_share = std::min(1.0, job_sum / job_count);

  for (const v1::SeriesAggregate* s : interval.Find("busyTimeMsPerSecond")) {
    if (!TaskScope(*s)) continue;
    const double busy = NonNegativeMaxOf(*s);  // NaN when Flink cannot tell
    if (Has(busy) && (!Has(sample.busiest) || busy / 1000.0 > sample.busiest)) {
      sample.busiest = std::min(1.0, busy / 1000.0);
      sample.busiest_task = std::string(TaskNameOf(*s));
    }
  }
  if (!Has(sample.busiest)) {
    for (const v1::SeriesAggregate* s : interval.Find("idleTimeMsPerSecond")) {
      if (!TaskScope(*s)) continue;
      const double least_idle = MinOf(*s);
      if (!Has(least_idle) || least_idle < 0) continue;
      const double busy = std::clamp(1.0 - least_idle / 1000.0, 0.0, 1.0);
      if (!Has(sample.busiest) || busy > sample.busiest) {
        sample.busiest = busy;
        sample.busiest_task = std::string(TaskNameOf(*s));
      }
    }
  }
  if (Has(sample.worst) || Has(sample.busiest)) {
    Keep(interval, std::move(sample));
  }
}

v1::DimensionScore BackpressureDimension::Score(const EvalContext& ctx) const {
  Figure worsts, job_shares;
  // The newest intervals that name the worst and the busiest task.
  const BackpressureSample* newest = nullptr;
  const BackpressureSample* newest_busy = nullptr;
  ForEachJudged(ctx, [&](const Entry& e) {
    const BackpressureSample& v = e.value;
    if (worsts.Add(v.worst)) newest = &v;
    job_shares.Add(v.job_share);
    if (Has(v.busiest)) newest_busy = &v;
  });
  if (worsts.count < ctx.min_intervals) {
    return NotEnoughData(ctx,
                         "not enough data: backPressuredTimeMsPerSecond / "
                         "isBackPressured not reported");
  }
  const double worst = worsts.mean();
  const double job = job_shares.mean();
  const Signal signals[] = {
      {worst, &config().worst_task, "ratio"},
      {job, &config().job_share, "ratio"},
  };
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);
  std::string text = absl::StrCat("backpressure ", UiLevel(worst), ": ");
  if (worst < 0.005) {
    absl::StrAppend(&text, "no task backpressured");
  } else {
    absl::StrAppend(&text, "'", newest->worst_task, "' backpressured ", Percent(worst),
                    " of the time");
    if (Has(job)) absl::StrAppend(&text, ", ", Percent(job), " of all subtask time");
  }
  if (out.state() != v1::DIMENSION_STATE_OK && newest_busy != nullptr) {
    absl::StrAppend(&text, "; likely bottleneck '", newest_busy->busiest_task, "' (busy ",
                    Percent(newest_busy->busiest), ")");
  }
  absl::StrAppend(&text, " (mean over ", WindowText(ctx), ")");
  out.set_explanation(std::move(text));
  return out;
}

}  // namespace vitals::scorer
