#include "scorer/model/diagnosis.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/strings.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {

std::string Diagnose(const Dimensions& dimensions, const EvalContext& ctx,
                     std::string_view restart_reason) {
  std::vector<const v1::DimensionScore*> problems;
  std::vector<std::string> unknown;
  for (const v1::DimensionScore& d : dimensions) {
    if (d.state() == v1::DIMENSION_STATE_CRITICAL || d.state() == v1::DIMENSION_STATE_WARN) {
      problems.push_back(&d);
    } else if (d.state() == v1::DIMENSION_STATE_UNKNOWN) {
      unknown.push_back(d.dimension());
    }
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const auto* a, const auto* b) { return a->score() < b->score(); });

  std::string text;
  if (ctx.warming_up()) {
    absl::StrAppend(&text, "warming up (", AsAbsl(restart_reason), " ",
                    Ago(static_cast<double>(ctx.window_end_ms - ctx.restart_at_ms())),
                    "): lag, backpressure, CPU, GC and skew are judged on data from before it "
                    "until ",
                    Duration(static_cast<double>(ctx.settled_since_ms() - ctx.window_end_ms)),
                    " from now. ");
  }
  if (problems.empty()) {
    const size_t known = dimensions.size() - unknown.size();
    if (known == 0) {
      absl::StrAppend(&text, "no dimension has enough data yet");
      return text;
    } else {
      absl::StrAppend(&text, "healthy: all ", known, known == 1 ? " dimension" : " dimensions",
                      " with data within thresholds");
    }
  } else {
    v1::DimensionState last_state = v1::DIMENSION_STATE_UNKNOWN;
    int shown = 0;
    for (const v1::DimensionScore* d : problems) {
      if (shown == kDiagnosisDimensions) break;
      if (shown > 0) absl::StrAppend(&text, ". ");
      if (d->state() != last_state) {
        absl::StrAppend(&text, shown > 0 ? "Also " : "",
                        d->state() == v1::DIMENSION_STATE_CRITICAL ? "critical: " : "degraded: ");
        last_state = d->state();
      }
      absl::StrAppend(&text, d->explanation());
      ++shown;
    }
    if (problems.size() > static_cast<size_t>(shown)) {
      absl::StrAppend(&text, ". ", problems.size() - shown, " more degraded");
    }
  }
  if (!unknown.empty()) {
    absl::StrAppend(&text, problems.empty() ? "; " : ". ",
                    ctx.warming_up() ? "not graded yet: " : "no data for ",
                    absl::StrJoin(unknown, ", "));
  }
  return text;
}

}  // namespace vitals::scorer
