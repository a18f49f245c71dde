#pragma once

// Which fold a Flink metric needs. Every reporter but OpenTelemetry sends
// Flink counters as gauges, so the kind is known by canonical name (see
// flink_sample.h), not by the wire type: a cumulative value summed across
// subtasks, or a meter differenced, is meaningless.

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gateway/receivers/sample.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

class MetricCatalog {
 public:
  // `user_counters`: canonical names the config declares cumulative, on top
  // of Flink's own.
  explicit MetricCatalog(const std::vector<std::string>& user_counters = {});

  // Rules, first match wins:
  //   summary sample                         -> SUMMARY
  //   `…PerSecond`, `…_rate`                 -> METER (a rate: never differenced)
  //   counter on the wire, Flink's known
  //   cumulative names, user-declared names  -> COUNTER
  //   anything else                          -> GAUGE
  // `scope` is accepted for rules that need it; Flink's cumulative names mean
  // the same thing in every scope they occur in.
  v1::MetricKind Classify(v1::Scope scope, std::string_view metric, SampleType type) const;

  // Values Flink documents as "not defined yet" rather than as a reading:
  // -1 for event-time lags and Kinesis' millisBehindLatest, Long.MIN_VALUE
  // for watermarks before the first one. Treated as missing, never as data.
  static bool IsUndefinedValue(std::string_view metric, double value);

  static bool IsMeterName(std::string_view metric);
  // Flink's own cumulative metrics (not the user-declared ones).
  static bool IsFlinkCounterName(std::string_view metric);

 private:
  absl::flat_hash_set<std::string> user_counters_;
};

}  // namespace vitals::gateway
