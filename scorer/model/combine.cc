#include "scorer/model/combine.h"

#include <algorithm>
#include <limits>

namespace vitals::scorer {

double Ceiling(double s) {
  if (s <= 4) return s;
  if (s < 6) return 2 * s - 4;
  return s + 2;
}

Combined Combine(const Dimensions& dimensions) {
  double total_weight = 0, known_weight = 0, weighted = 0;
  double cap = 10;
  for (const v1::DimensionScore& d : dimensions) {
    if (d.weight() <= 0) continue;
    total_weight += d.weight();
    if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
    known_weight += d.weight();
    weighted += d.weight() * d.score();
    cap = std::min(cap, Ceiling(d.score()));
  }
  if (known_weight == 0) {
    return {std::numeric_limits<double>::quiet_NaN(), 0.0};
  }
  const double mean = weighted / known_weight;
  return {std::clamp(std::min(mean, cap), 0.0, 10.0), known_weight / total_weight};
}

}  // namespace vitals::scorer
