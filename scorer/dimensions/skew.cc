#include "scorer/dimensions/skew.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {

double SkewPercent(std::span<const double> rates) {
  if (rates.empty()) return kMissing;
  double sum = 0;
  for (double r : rates) sum += r;
  const double mean = sum / static_cast<double>(rates.size());
  if (mean == 0) return 0;
  double deviation = 0;
  for (double r : rates) deviation += std::fabs(r - mean);
  deviation /= static_cast<double>(rates.size());
  return std::min(100.0, deviation / mean * 100.0);
}

void SkewDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName("numRecordsInPerSecond");
}

void SkewDimension::Observe(const MergedInterval& interval) {
  SkewSample sample;
  auto& by_subtask = by_subtask_;
  auto& rates = rates_;
  // Operator scope first; task scope only when no operator reports
  // per-subtask rates.
  for (v1::Scope scope :
       {v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR, v1::SCOPE_TASKMANAGER_JOB_TASK}) {
    for (const v1::SeriesAggregate* s : interval.Find("numRecordsInPerSecond")) {
      if (s->scope() != scope || s->instances_size() < 2) continue;
      by_subtask.clear();
      for (const v1::InstanceValue& iv : s->instances()) {
        if (std::isfinite(iv.value()) && iv.value() >= 0)
          by_subtask.emplace_back(iv.instance(), iv.value());
      }
      // A subtask reported by two gateways (a pod moving mid-interval)
      // counts once.
      std::sort(by_subtask.begin(), by_subtask.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      by_subtask.erase(std::unique(by_subtask.begin(), by_subtask.end(),
                                   [](const auto& a, const auto& b) { return a.first == b.first; }),
                       by_subtask.end());
      if (by_subtask.size() < 2) continue;
      rates.clear();
      double total = 0, max_rate = 0;
      for (const auto& [id, r] : by_subtask) {
        rates.push_back(r);
        total += r;
        max_rate = std::max(max_rate, r);
      }
      if (total < config().min_rate) continue;
      const double pct = SkewPercent(rates);
      if (!Has(sample.percent) || pct > sample.percent) {
        sample.percent = pct;
        sample.max_rate = max_rate;
        sample.mean_rate = total / static_cast<double>(rates.size());
        sample.op = std::string(OperatorNameOf(*s));
      }
    }
    if (Has(sample.percent)) break;
  }
  if (Has(sample.percent)) Keep(interval, std::move(sample));
}

v1::DimensionScore SkewDimension::Score(const EvalContext& ctx) const {
  const Figure percents = FigureOf(ctx, &SkewSample::percent);
  if (percents.count < ctx.min_intervals) {
    return NotEnoughData(ctx, absl::StrCat("not enough data: no operator with per-subtask "
                                           "numRecordsInPerSecond and at least ",
                                           Quantity(config().min_rate), " rec/s"));
  }
  const double pct = percents.mean();
  const SkewSample* newest = &NewestJudged(ctx)->value;
  const Signal signals[] = {{pct, &config().percent, "%"}};
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);
  out.set_explanation(
      absl::StrCat(out.state() == v1::DIMENSION_STATE_OK ? "input balanced" : "input skewed",
                   ": worst operator '", newest->op, "' at ", Quantity(pct), "% skew (mean over ",
                   WindowText(ctx), "; now busiest subtask ", Quantity(newest->max_rate),
                   " rec/s vs mean ", Quantity(newest->mean_rate), ")"));
  return out;
}

}  // namespace vitals::scorer
