#include "scorer/dimensions/band.h"

#include <cmath>

namespace vitals::scorer {
namespace {

double Lerp(double from_score, double to_score, double lo, double hi, double v) {
  if (hi <= lo) return to_score;
  return from_score + (to_score - from_score) * (v - lo) / (hi - lo);
}

}  // namespace

double Band::Score(double value) const {
  if (std::isnan(value)) return value;
  // Mirror higher-is-better onto lower-is-better.
  const double s = direction == Direction::kLowerIsBetter ? 1.0 : -1.0;
  const double v = s * value;
  const double i = s * ideal, g = s * good, b = s * bad, w = s * worst;
  if (v <= i) return 10.0;
  if (v <= g) return Lerp(10.0, kOkScore, i, g, v);
  if (v < b) return Lerp(kOkScore, kCriticalScore, g, b, v);
  if (v < w) return Lerp(kCriticalScore, 0.0, b, w, v);
  return 0.0;
}

std::string Band::Check() const {
  for (double v : {ideal, good, bad, worst}) {
    if (!std::isfinite(v)) return "thresholds must be finite numbers";
  }
  const bool lower = direction == Direction::kLowerIsBetter;
  const bool ordered = lower ? (ideal <= good && good < bad && bad <= worst)
                             : (ideal >= good && good > bad && bad >= worst);
  if (!ordered) {
    return lower ? "thresholds must be ordered ideal <= good < bad <= worst"
                 : "thresholds must be ordered ideal >= good > bad >= worst (higher is better)";
  }
  return {};
}

v1::DimensionState StateOfScore(double score) {
  if (std::isnan(score)) return v1::DIMENSION_STATE_UNKNOWN;
  if (score >= kOkScore) return v1::DIMENSION_STATE_OK;
  if (score <= kCriticalScore) return v1::DIMENSION_STATE_CRITICAL;
  return v1::DIMENSION_STATE_WARN;
}

}  // namespace vitals::scorer
