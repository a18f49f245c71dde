#include "gateway/aggregate/metric_catalog.h"

#include <array>

#include "common/base/strings.h"

namespace vitals::gateway {
namespace {

// Flink's cumulative metrics that have a fixed name (flink-metrics.md,
// "Counters hide as gauges", plus the network and sink counters of the same
// IO metric groups).
constexpr std::array<std::string_view, 23> kFlinkCounters = {
    "numRecordsIn",
    "numRecordsOut",
    "numBytesIn",
    "numBytesOut",
    "numRecordsInErrors",
    "numRecordsOutErrors",
    "numLateRecordsDropped",
    "numBytesInLocal",
    "numBytesInRemote",
    "numBuffersInLocal",
    "numBuffersInRemote",
    "numBuffersOut",
    "numRecordsSend",
    "numBytesSend",
    "numRecordsSendErrors",
    "numRestarts",
    "fullRestarts",
    "numberOfCompletedCheckpoints",
    "numberOfFailedCheckpoints",
    "totalNumberOfCheckpoints",
    "Status_JVM_CPU_Time",
    "KafkaSourceReader_commitsSucceeded",
    "KafkaSourceReader_commitsFailed",
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

MetricCatalog::MetricCatalog(const std::vector<std::string>& user_counters)
    : user_counters_(user_counters.begin(), user_counters.end()) {}

bool MetricCatalog::IsUndefinedValue(std::string_view metric, double value) {
  // Checked on every sample: the value test comes first and nearly always
  // ends it.
  constexpr double kLongMin = -9223372036854775808.0;
  if (value == -1) {
    return metric == "currentEmitEventTimeLag" || metric == "currentFetchEventTimeLag" ||
           EndsWith(metric, "millisBehindLatest");
  }
  if (value <= kLongMin) return EndsWith(metric, "Watermark");
  return false;
}

bool MetricCatalog::IsMeterName(std::string_view metric) {
  return EndsWith(metric, "PerSecond") || EndsWith(metric, "_rate");
}

bool MetricCatalog::IsFlinkCounterName(std::string_view metric) {
  for (std::string_view name : kFlinkCounters) {
    if (metric == name) return true;
  }
  // Status.JVM.GarbageCollector.<collector>.Count|Time, `All` included; the
  // 1.19+ `TimeMsPerSecond` is a meter and never gets here.
  constexpr std::string_view kGc = "Status_JVM_GarbageCollector_";
  if (StartsWith(metric, kGc) && metric.size() > kGc.size() + 5 &&
      (EndsWith(metric, "_Count") || EndsWith(metric, "_Time"))) {
    return true;
  }
  // <state>TimeTotal (runningTimeTotal, restartingTimeTotal, …), Flink 1.15+.
  constexpr std::string_view kStateTotal = "TimeTotal";
  if (metric.size() > kStateTotal.size() && EndsWith(metric, kStateTotal)) return true;
  // A StatsD/Influx meter's cumulative event count next to its rate.
  if (EndsWith(metric, "PerSecond_count")) return true;
  // Kafka client metrics come in `-rate`/`-total` pairs; `-total` is the
  // cumulative sum Flink forwards under KafkaConsumer/KafkaProducer groups.
  if ((metric.find("KafkaConsumer_") != std::string_view::npos ||
       metric.find("KafkaProducer_") != std::string_view::npos) &&
      EndsWith(metric, "_total")) {
    return true;
  }
  return false;
}

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
