#include "scorer/dimensions/user_defined.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {
namespace {

constexpr std::pair<Aggregation, std::string_view> kAggregations[] = {
    {Aggregation::kMean, "mean"}, {Aggregation::kMax, "max"},   {Aggregation::kMin, "min"},
    {Aggregation::kSum, "sum"},   {Aggregation::kRate, "rate"}, {Aggregation::kLast, "last"},
};

}  // namespace

std::string_view AggregationName(Aggregation a) {
  for (const auto& [value, name] : kAggregations) {
    if (value == a) return name;
  }
  return "mean";
}

bool ParseAggregation(std::string_view text, Aggregation* out) {
  for (const auto& [value, name] : kAggregations) {
    if (name == text) {
      *out = value;
      return true;
    }
  }
  return false;
}

bool UserDefinedDimension::Matches(const v1::SeriesAggregate& s) const {
  if (config().scope != v1::SCOPE_UNSPECIFIED && s.scope() != config().scope) return false;
  for (const auto& [label, value] : config().labels) {
    if (LabelOf(s, label) != value) return false;
  }
  return true;
}

void UserDefinedDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName(config().metric);
}

void UserDefinedDimension::Observe(const MergedInterval& interval) {
  UserDefinedSample sample;
  const bool drop_negative = config().negative_is_missing;
  for (const v1::SeriesAggregate* s : interval.Find(config().metric)) {
    if (!Matches(*s) || s->count() == 0) continue;
    const double lo = MinOf(*s), hi = MaxOf(*s);
    if (!Has(lo) || !Has(hi)) continue;
    if (drop_negative && hi < 0) continue;
    // With some values undefined (−1) the sum is unusable, the maximum is not.
    const bool partial = drop_negative && lo < 0;
    const double sum = SumOf(*s);
    if (!partial && Has(sum)) {
      sample.sum += sum;
      sample.count += static_cast<double>(s->count());
      sample.min = Has(sample.min) ? std::min(sample.min, lo) : lo;
    }
    sample.max = Has(sample.max) ? std::max(sample.max, hi) : hi;
    const double last = LastOf(*s);
    if (Has(last) && !(drop_negative && last < 0) && s->last_timestamp_ms() >= sample.last_ms) {
      sample.last = last;
      sample.last_ms = s->last_timestamp_ms();
    }
  }
  if (Has(sample.max)) Keep(interval, sample);
}

v1::DimensionScore UserDefinedDimension::Score(const EvalContext& ctx) const {
  double sum = 0, count = 0, span_ms = 0;
  Figure mins, maxes, lasts;
  const uint32_t intervals = ForEachJudged(ctx, [&](const Entry& e) {
    const UserDefinedSample& v = e.value;
    sum += v.sum;
    count += v.count;
    span_ms += static_cast<double>(e.end_ms - e.start_ms);
    mins.Add(v.min);
    maxes.Add(v.max);
    lasts.Add(v.last);
  });
  if (intervals < ctx.min_intervals) {
    return NotEnoughData(
        ctx, absl::StrCat("not enough data: metric ", config().metric, " not reported"));
  }
  const double lo = mins.min, hi = maxes.max, last = lasts.last;
  double value = kMissing;
  switch (config().aggregation) {
    case Aggregation::kMean:
      value = count > 0 ? sum / count : kMissing;
      break;
    case Aggregation::kMax:
      value = hi;
      break;
    case Aggregation::kMin:
      value = lo;
      break;
    case Aggregation::kSum:
      value = count > 0 ? sum : kMissing;
      break;
    case Aggregation::kRate:
      value = count > 0 && span_ms > 0 ? sum / (span_ms / 1000.0) : kMissing;
      break;
    case Aggregation::kLast:
      value = last;
      break;
  }
  const Signal signals[] = {{value, &config().band, config().unit}};
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);
  const bool lower = config().band.direction == Direction::kLowerIsBetter;
  out.set_explanation(
      absl::StrCat(config().name, ": ", AsAbsl(AggregationName(config().aggregation)), " of ",
                   config().metric, " over ", WindowText(ctx), " is ", Quantity(value),
                   config().unit.empty() ? "" : absl::StrCat(" ", config().unit), " (good ",
                   lower ? "<= " : ">= ", Quantity(config().band.good), ", bad ",
                   lower ? ">= " : "<= ", Quantity(config().band.bad), ")"));
  return out;
}

}  // namespace vitals::scorer
