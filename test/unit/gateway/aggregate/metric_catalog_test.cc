#include "gateway/aggregate/metric_catalog.h"

#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

constexpr auto kOp = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;

v1::MetricKind KindOf(std::string_view metric, SampleType type = SampleType::kGauge,
                      v1::Scope scope = kOp) {
  return MetricCatalog().Classify(scope, metric, type);
}

TEST(MetricCatalogTest, FlinkCumulativeMetricsAreCountersWhateverTheWireSays) {
  for (std::string_view name : {"numRecordsIn",
                                "numRecordsOut",
                                "numBytesIn",
                                "numBytesOut",
                                "numRecordsInErrors",
                                "numLateRecordsDropped",
                                "numRestarts",
                                "fullRestarts",
                                "numberOfCompletedCheckpoints",
                                "numberOfFailedCheckpoints",
                                "totalNumberOfCheckpoints",
                                "Status_JVM_CPU_Time",
                                "KafkaSourceReader_commitsSucceeded",
                                "KafkaSourceReader_commitsFailed",
                                "Status_JVM_GarbageCollector_G1_Young_Generation_Count",
                                "Status_JVM_GarbageCollector_G1_Old_Generation_Time",
                                "Status_JVM_GarbageCollector_All_Count",
                                "runningTimeTotal",
                                "restartingTimeTotal",
                                "KafkaSourceReader_KafkaConsumer_records_consumed_total"}) {
    EXPECT_EQ(KindOf(name), v1::METRIC_KIND_COUNTER) << name;
    EXPECT_EQ(KindOf(name, SampleType::kUntyped), v1::METRIC_KIND_COUNTER) << name;
  }
}

TEST(MetricCatalogTest, MetersAreNeverCounters) {
  for (std::string_view name :
       {"numRecordsInPerSecond", "numBytesOutPerSecond", "busyTimeMsPerSecond",
        "Status_JVM_GarbageCollector_All_TimeMsPerSecond",
        "KafkaSourceReader_KafkaConsumer_records_consumed_rate"}) {
    EXPECT_EQ(KindOf(name), v1::METRIC_KIND_METER) << name;
    // Even a wire type that claims otherwise: a rate differenced is noise.
    EXPECT_EQ(KindOf(name, SampleType::kCounter), v1::METRIC_KIND_METER) << name;
  }
}

TEST(MetricCatalogTest, EverythingElseIsAGauge) {
  for (std::string_view name :
       {"lastCheckpointDuration", "Status_JVM_CPU_Load", "currentEmitEventTimeLag", "runningTime",
        "runningState", "Status_JVM_GarbageCollector_G1", "Status_JVM_Memory_Heap_Used",
        "KafkaSourceReader_KafkaConsumer_records_lag_max", "numRecordsInX", "TimeTotal",
        "pendingRecords"}) {
    EXPECT_EQ(KindOf(name), v1::METRIC_KIND_GAUGE) << name;
  }
}

TEST(MetricCatalogTest, WireTypesAndUserDeclaredCounters) {
  EXPECT_EQ(KindOf("latency", SampleType::kSummary), v1::METRIC_KIND_SUMMARY);
  EXPECT_EQ(KindOf("myEvents", SampleType::kCounter), v1::METRIC_KIND_COUNTER);
  EXPECT_EQ(KindOf("myEvents"), v1::METRIC_KIND_GAUGE);
  MetricCatalog catalog({"myEvents"});
  EXPECT_EQ(catalog.Classify(kOp, "myEvents", SampleType::kGauge), v1::METRIC_KIND_COUNTER);
  EXPECT_EQ(catalog.Classify(kOp, "myEventsPerSecond", SampleType::kGauge), v1::METRIC_KIND_METER);
}

TEST(MetricCatalogTest, UndefinedMarkers) {
  EXPECT_TRUE(MetricCatalog::IsUndefinedValue("currentEmitEventTimeLag", -1));
  EXPECT_TRUE(MetricCatalog::IsUndefinedValue("currentFetchEventTimeLag", -1));
  EXPECT_TRUE(MetricCatalog::IsUndefinedValue("KinesisConsumer_millisBehindLatest", -1));
  EXPECT_TRUE(MetricCatalog::IsUndefinedValue("currentInputWatermark", -9.3e18));
  EXPECT_FALSE(MetricCatalog::IsUndefinedValue("currentEmitEventTimeLag", 0));
  EXPECT_FALSE(MetricCatalog::IsUndefinedValue("currentInputWatermark", -1));
  EXPECT_FALSE(MetricCatalog::IsUndefinedValue("Status_JVM_CPU_Load", -1));
}

}  // namespace
}  // namespace vitals::gateway
