#pragma once

// How a measured value becomes a 0–10 score. Every threshold set has four
// anchors, like Dr. Elephant's four severities: at or better than `ideal`
// the score is 10, at `good` it is 8, at `bad` 4 and at `worst` 0, linear in
// between. So a dimension is OK at or better than `good` (score >= 8) and
// CRITICAL at or beyond `bad` (score <= 4), and the score still tells "just
// past good" from "nearly bad".

#include <string>

#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

inline constexpr double kOkScore = 8.0;
inline constexpr double kCriticalScore = 4.0;

enum class Direction { kLowerIsBetter, kHigherIsBetter };

struct Band {
  double ideal = 0;
  double good = 0;
  double bad = 0;
  double worst = 0;
  Direction direction = Direction::kLowerIsBetter;

  // 0..10; NaN for a NaN value. ±Inf map to the ends.
  double Score(double value) const;
  // Empty when the anchors are ordered (ideal <= good < bad <= worst, or the
  // reverse for higher-is-better), else the reason.
  std::string Check() const;
};

// ok at >= kOkScore, critical at <= kCriticalScore, unknown for NaN.
v1::DimensionState StateOfScore(double score);

}  // namespace vitals::scorer
