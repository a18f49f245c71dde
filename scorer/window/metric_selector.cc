#include "scorer/window/metric_selector.h"

#include "common/base/strings.h"

namespace vitals::scorer {

void MetricSelector::AddName(std::string_view metric) { names_.emplace(metric); }

void MetricSelector::AddPrefix(std::string_view prefix) { prefixes_.emplace_back(prefix); }

bool MetricSelector::Wants(std::string_view canonical_metric) const {
  if (names_.contains(AsAbsl(canonical_metric))) return true;
  for (const std::string& prefix : prefixes_) {
    if (canonical_metric.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace vitals::scorer
