#pragma once

// Which metrics the scorer reads. Gateways publish every Flink metric they
// fold; the scorer keeps only the few its dimensions use, so that merging a
// batch costs in proportion to what is scored, not to what was reported.

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace vitals::scorer {

class MetricSelector {
 public:
  // Names are canonical (see CanonicalMetricName).
  void AddName(std::string_view metric);
  // For families such as `Status_JVM_GarbageCollector_<collector>_Time`.
  void AddPrefix(std::string_view prefix);
  bool Wants(std::string_view canonical_metric) const;

  const absl::flat_hash_set<std::string>& names() const { return names_; }
  const std::vector<std::string>& prefixes() const { return prefixes_; }

 private:
  absl::flat_hash_set<std::string> names_;
  std::vector<std::string> prefixes_;
};

}  // namespace vitals::scorer
