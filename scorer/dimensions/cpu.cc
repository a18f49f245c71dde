#include "scorer/dimensions/cpu.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "scorer/dimensions/text.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

void CpuDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName("Status_JVM_CPU_Load");
}

void CpuDimension::Observe(const MergedInterval& interval) {
  sharing_ = interval.sharing();
  double load = kMissing;
  for (const v1::SeriesAggregate* s : interval.Find("Status_JVM_CPU_Load")) {
    if (s->scope() != v1::SCOPE_TASKMANAGER && s->scope() != v1::SCOPE_UNSPECIFIED) continue;
    const double v = NonNegativeMaxOf(*s);  // -1: the JVM cannot tell
    if (Has(v)) load = Has(load) ? std::max(load, v) : v;
  }
  if (Has(load)) Keep(interval, std::min(1.0, load));
}

v1::DimensionScore CpuDimension::Score(const EvalContext& ctx) const {
  const Figure loads = FigureOf(ctx);
  if (loads.count < ctx.min_intervals) {
    return NotEnoughData(ctx, "not enough data: TaskManager CPU load not reported");
  }
  const double load = loads.mean();
  const Signal signals[] = {{load, &config().load, "ratio"}};
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);
  out.set_explanation(
      absl::StrCat(out.state() == v1::DIMENSION_STATE_OK ? "CPU fine" : "CPU saturated",
                   ": busiest TaskManager JVM at ", Percent(load), " CPU (mean over ",
                   WindowText(ctx), ")", SharingNote(sharing_)));
  return out;
}

}  // namespace vitals::scorer
