#include "scorer/window/series_values.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace vitals::scorer {
namespace {

v1::SeriesAggregate Agg(double min, double max, double sum, uint64_t count, double last,
                        v1::MetricKind kind = v1::METRIC_KIND_GAUGE) {
  v1::SeriesAggregate s;
  s.set_kind(kind);
  s.set_min(min);
  s.set_max(max);
  s.set_sum(sum);
  s.set_count(count);
  s.set_last(last);
  return s;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SeriesValuesTest, UndefinedValuesAreMissingNotZero) {
  EXPECT_FALSE(Has(MaxOf(Agg(kNaN, kNaN, kNaN, 1, kNaN))));
  EXPECT_FALSE(Has(NonNegativeMaxOf(Agg(-1, -1, -2, 2, -1))));  // lag −1: undefined
  EXPECT_FALSE(Has(MaxOf(Agg(-kInf, -kInf, -kInf, 1, -kInf))));
  EXPECT_FALSE(Has(MeanOf(Agg(0, 0, 0, 0, 0))));  // nothing folded
  EXPECT_FALSE(Has(LastOf(Agg(1, 1, 1, 1, kNaN))));
}

TEST(SeriesValuesTest, PartlyUndefinedSumFallsBackToTheLargestValue) {
  // Two subtasks report 500 and 300 records pending, one −1 (undefined).
  EXPECT_DOUBLE_EQ(NonNegativeSumOf(Agg(-1, 500, 799, 3, 300)), 500);
  EXPECT_DOUBLE_EQ(NonNegativeSumOf(Agg(300, 500, 800, 2, 300)), 800);
}

TEST(SeriesValuesTest, CounterDeltasOnlyFromCounters) {
  EXPECT_DOUBLE_EQ(CounterDeltaOf(Agg(0, 3, 4, 2, 1, v1::METRIC_KIND_COUNTER)), 4);
  EXPECT_FALSE(Has(CounterDeltaOf(Agg(0, 3, 4, 2, 1, v1::METRIC_KIND_GAUGE))));
  EXPECT_FALSE(Has(CounterDeltaOf(Agg(0, 0, 0, 0, 0, v1::METRIC_KIND_COUNTER))));
}

TEST(SeriesValuesTest, CumulativeDeltaTreatsDecreaseAsReset) {
  double previous = kMissing;
  EXPECT_FALSE(Has(CumulativeDelta(10, &previous)));  // baseline
  EXPECT_DOUBLE_EQ(CumulativeDelta(13, &previous), 3);
  EXPECT_DOUBLE_EQ(CumulativeDelta(2, &previous), 2);  // reset: counted from 0
  EXPECT_FALSE(Has(CumulativeDelta(kNaN, &previous)));
  EXPECT_DOUBLE_EQ(CumulativeDelta(5, &previous), 3);
}

TEST(SeriesValuesTest, NamesFallBackToIds) {
  v1::SeriesAggregate s;
  (*s.mutable_labels())["task_id"] = "cbc357cc";
  EXPECT_EQ(TaskNameOf(s), "cbc357cc");
  EXPECT_EQ(OperatorNameOf(s), "cbc357cc");
  (*s.mutable_labels())["operator_name"] = "Map";
  EXPECT_EQ(OperatorNameOf(s), "Map");
}

TEST(CanonicalMetricNameTest, MatchesPrometheusReporterSpelling) {
  EXPECT_EQ(CanonicalMetricName("Status.JVM.CPU.Load"), "Status_JVM_CPU_Load");
  EXPECT_EQ(CanonicalMetricName("KafkaSourceReader.KafkaConsumer.records-lag-max"),
            "KafkaSourceReader_KafkaConsumer_records_lag_max");
  EXPECT_TRUE(IsCanonicalMetricName("numRecordsInPerSecond"));
  EXPECT_FALSE(IsCanonicalMetricName("records-lag-max"));
}

}  // namespace
}  // namespace vitals::scorer
