#include "scorer/window/series_values.h"

#include <algorithm>
#include <string>

namespace vitals::scorer {
namespace {

bool Finite(double v) { return std::isfinite(v); }

}  // namespace

double MaxOf(const v1::SeriesAggregate& s) {
  if (s.count() == 0) return kMissing;
  if (Finite(s.max())) return s.max();
  // max is +Inf or NaN: the newest value may still be usable.
  return Finite(s.last()) ? s.last() : kMissing;
}

double NonNegativeMaxOf(const v1::SeriesAggregate& s) {
  const double v = MaxOf(s);
  return Has(v) && v >= 0 ? v : kMissing;
}

double MinOf(const v1::SeriesAggregate& s) {
  if (s.count() == 0) return kMissing;
  if (Finite(s.min())) return s.min();
  return Finite(s.last()) ? s.last() : kMissing;
}

double MeanOf(const v1::SeriesAggregate& s) {
  if (s.count() == 0 || !Finite(s.sum())) return kMissing;
  return s.sum() / static_cast<double>(s.count());
}

double SumOf(const v1::SeriesAggregate& s) {
  if (s.count() == 0 || !Finite(s.sum())) return kMissing;
  return s.sum();
}

double NonNegativeSumOf(const v1::SeriesAggregate& s) {
  if (s.count() == 0) return kMissing;
  if (Finite(s.min()) && s.min() >= 0 && Finite(s.sum())) return s.sum();
  return NonNegativeMaxOf(s);
}

double LastOf(const v1::SeriesAggregate& s) {
  if (s.count() == 0 || !Finite(s.last())) return kMissing;
  return s.last();
}

double CounterDeltaOf(const v1::SeriesAggregate& s) {
  if (s.kind() != v1::METRIC_KIND_COUNTER) return kMissing;
  const double sum = SumOf(s);
  return Has(sum) && sum >= 0 ? sum : kMissing;
}

double CumulativeDelta(double current, double* previous) {
  if (!Finite(current) || current < 0) return kMissing;
  const double before = *previous;
  *previous = current;
  if (!Has(before)) return kMissing;
  return current >= before ? current - before : current;
}

double CounterIncrease(const MergedInterval& interval, std::string_view metric, double* previous) {
  double increase = kMissing;
  for (const v1::SeriesAggregate* s : interval.Find(metric)) {
    double d = CounterDeltaOf(*s);
    if (!Has(d) && s->kind() != v1::METRIC_KIND_COUNTER && s->count() == 1) {
      d = CumulativeDelta(LastOf(*s), previous);
    }
    if (Has(d)) increase = Has(increase) ? increase + d : d;
  }
  return increase;
}

std::string_view LabelOf(const v1::SeriesAggregate& s, std::string_view name) {
  // Protobuf's map finds by a view: no string built per lookup.
  const auto& labels = s.labels();
  auto it = labels.find(name);
  if (it == labels.end()) return {};
  return it->second;
}

std::string_view TaskNameOf(const v1::SeriesAggregate& s) {
  std::string_view name = LabelOf(s, "task_name");
  return name.empty() ? LabelOf(s, "task_id") : name;
}

std::string_view OperatorNameOf(const v1::SeriesAggregate& s) {
  std::string_view name = LabelOf(s, "operator_name");
  if (name.empty()) name = LabelOf(s, "operator_id");
  return name.empty() ? TaskNameOf(s) : name;
}

}  // namespace vitals::scorer
