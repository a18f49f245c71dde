#pragma once

// One figure of a dimension's samples (a lag, a load, a count of restarts)
// reduced over the intervals the dimension judges. An interval without the
// figure does not count: a metric nobody sent is not a zero.

#include <algorithm>
#include <cstdint>

#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct Figure {
  // Intervals that had the figure.
  uint32_t count = 0;
  double sum = 0;
  // Smallest, largest and newest value; kMissing while count is 0.
  double min = kMissing;
  double max = kMissing;
  double last = kMissing;

  // Adds the next interval's value, oldest first; false when it is missing.
  bool Add(double value) {
    if (!Has(value)) return false;
    sum += value;
    min = count == 0 ? value : std::min(min, value);
    max = count == 0 ? value : std::max(max, value);
    last = value;
    ++count;
    return true;
  }

  // kMissing when no interval had the figure.
  double mean() const { return count > 0 ? sum / count : kMissing; }
  double total() const { return count > 0 ? sum : kMissing; }
};

}  // namespace vitals::scorer
