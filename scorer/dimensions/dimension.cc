#include "scorer/dimensions/dimension.h"

#include <cmath>
#include <limits>
#include <utility>

#include "scorer/dimensions/text.h"

namespace vitals::scorer {

v1::DimensionScore GradeSignals(std::string_view dimension, double weight,
                                std::span<const Signal> signals, int* worst_index) {
  v1::DimensionScore out;
  out.set_dimension(std::string(dimension));
  out.set_weight(weight);
  double worst = std::numeric_limits<double>::infinity();
  const Signal* worst_signal = nullptr;
  for (const Signal& signal : signals) {
    const double score = signal.band->Score(signal.value);
    if (std::isnan(score)) continue;
    if (score < worst) {
      worst = score;
      worst_signal = &signal;
    }
  }
  if (worst_index != nullptr) {
    *worst_index = worst_signal == nullptr ? -1 : static_cast<int>(worst_signal - signals.data());
  }
  if (worst_signal == nullptr) {
    out.set_score(std::numeric_limits<double>::quiet_NaN());
    out.set_observed(std::numeric_limits<double>::quiet_NaN());
    out.set_state(v1::DIMENSION_STATE_UNKNOWN);
    return out;
  }
  out.set_score(worst);
  out.set_observed(worst_signal->value);
  out.set_unit(std::string(worst_signal->unit));
  out.set_state(StateOfScore(worst));
  return out;
}

v1::DimensionScore UnknownGrade(std::string_view dimension, double weight, std::string reason) {
  v1::DimensionScore out = GradeSignals(dimension, weight, {});
  out.set_explanation(std::move(reason));
  return out;
}

bool EvalContext::Settled(int64_t interval_start_ms) const {
  for (int64_t r : restarts) {
    if (interval_start_ms >= r && interval_start_ms < r + warmup_ms) return false;
  }
  return true;
}

std::string WindowText(const EvalContext& ctx) {
  return Duration(static_cast<double>(absl::ToInt64Milliseconds(ctx.window)));
}

std::string WindowUnit(const EvalContext& ctx) { return absl::FormatDuration(ctx.window); }

}  // namespace vitals::scorer
