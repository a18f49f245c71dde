#pragma once

// One metric's current value as the simulator reports it, in every shape a
// reporter needs.

#include <cstdint>
#include <string>
#include <string_view>

namespace vitals::sim {

// A Flink variable (label/tag); name without the angle brackets.
struct Label {
  std::string name;
  std::string value;
};

// What Flink's HistogramStatistics hands a reporter.
struct HistogramStats {
  // Histogram.getCount(): updates ever (Influx `run-count`).
  int64_t count = 0;
  // Values in the sampling window (Influx `count`).
  int64_t size = 0;
  int64_t min = 0;
  int64_t max = 0;
  double mean = 0;
  double stddev = 0;
  double p50 = 0;
  double p75 = 0;
  double p95 = 0;
  double p98 = 0;
  double p99 = 0;
  double p999 = 0;
};

struct Reading {
  // The value PrometheusReporter writes: counters and integer gauges as
  // doubles, booleans 1/0, strings 0, a meter's rate, a histogram's count.
  double number = 0;
  // Counters, integer gauges, a meter's count, a histogram's count.
  int64_t integer = 0;
  // Boolean gauges.
  bool flag = false;
  // String gauges.
  std::string_view text;
  // Histograms.
  const HistogramStats* histogram = nullptr;
};

}  // namespace vitals::sim
