#include "scorer/dimensions/gc.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {
namespace {

constexpr std::string_view kCollectorPrefix = "Status_JVM_GarbageCollector_";
constexpr std::string_view kTimeSuffix = "_Time";

bool TaskManagerScope(const v1::SeriesAggregate& s) {
  return s.scope() == v1::SCOPE_TASKMANAGER || s.scope() == v1::SCOPE_UNSPECIFIED;
}

}  // namespace

double GcShareOf(const MergedInterval& interval) {
  double worst_ms_per_s = kMissing;
  for (const v1::SeriesAggregate* s :
       interval.Find("Status_JVM_GarbageCollector_All_TimeMsPerSecond")) {
    if (!TaskManagerScope(*s)) continue;
    const double v = NonNegativeMaxOf(*s);
    if (Has(v)) worst_ms_per_s = Has(worst_ms_per_s) ? std::max(worst_ms_per_s, v) : v;
  }
  if (Has(worst_ms_per_s)) return std::min(1.0, worst_ms_per_s / 1000.0);
  if (interval.length_ms() <= 0) return kMissing;

  // Before 1.19: Σ over collectors of the worst TM's increase of
  // <collector>.Time (ms) in the interval.
  double gc_ms = kMissing;
  for (const v1::SeriesAggregate* s : interval.series()) {
    std::string_view metric = s->metric();
    if (!metric.starts_with(kCollectorPrefix) || !metric.ends_with(kTimeSuffix)) continue;
    if (metric == "Status_JVM_GarbageCollector_All_Time") continue;
    if (!TaskManagerScope(*s) || s->kind() != v1::METRIC_KIND_COUNTER) continue;
    const double worst_delta = NonNegativeMaxOf(*s);
    if (Has(worst_delta)) gc_ms = Has(gc_ms) ? gc_ms + worst_delta : worst_delta;
  }
  if (!Has(gc_ms)) return kMissing;
  return std::min(1.0, gc_ms / static_cast<double>(interval.length_ms()));
}

void GcDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddPrefix("Status_JVM_GarbageCollector_");
}

void GcDimension::Observe(const MergedInterval& interval) {
  sharing_ = interval.sharing();
  const double share = GcShareOf(interval);
  if (Has(share)) Keep(interval, share);
}

v1::DimensionScore GcDimension::Score(const EvalContext& ctx) const {
  const Figure shares = FigureOf(ctx);
  if (shares.count < ctx.min_intervals) {
    return NotEnoughData(ctx, "not enough data: TaskManager GC time not reported");
  }
  const double share = shares.mean();
  const Signal signals[] = {{share, &config().time_share, "ratio"}};
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);
  out.set_explanation(
      absl::StrCat(out.state() == v1::DIMENSION_STATE_OK ? "GC fine" : "GC pressure",
                   ": worst TaskManager in GC ", Percent(share), " of the time (mean over ",
                   WindowText(ctx), ")", SharingNote(sharing_)));
  return out;
}

}  // namespace vitals::scorer
