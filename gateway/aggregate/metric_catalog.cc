#include "gateway/aggregate/metric_catalog.h"

#include "common/base/strings.h"
#include "common/flink/catalog.h"

namespace vitals::gateway {

MetricCatalog::MetricCatalog(const std::vector<std::string>& user_counters)
    : user_counters_(user_counters.begin(), user_counters.end()) {}

bool MetricCatalog::IsUndefinedValue(std::string_view metric, double value) {
  return flink::IsUndefinedValue(metric, value);
}

bool MetricCatalog::IsMeterName(std::string_view metric) { return flink::IsMeter(metric); }

bool MetricCatalog::IsFlinkCounterName(std::string_view metric) { return flink::IsCounter(metric); }

v1::MetricKind MetricCatalog::Classify(v1::Scope /*scope*/, std::string_view metric,
                                       SampleType type) const {
  if (type == SampleType::kSummary) return v1::METRIC_KIND_SUMMARY;
  if (IsMeterName(metric)) return v1::METRIC_KIND_METER;
  if (type == SampleType::kCounter || IsFlinkCounterName(metric) ||
      user_counters_.contains(AsAbsl(metric))) {
    return v1::METRIC_KIND_COUNTER;
  }
  return v1::METRIC_KIND_GAUGE;
}

}  // namespace vitals::gateway
