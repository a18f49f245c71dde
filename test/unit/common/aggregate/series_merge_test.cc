#include "common/aggregate/series_merge.h"

#include <gtest/gtest.h>

namespace vitals::aggregate {
namespace {

v1::SeriesAggregate Make(double value, int64_t ts) {
  v1::SeriesAggregate s;
  s.set_scope(v1::SCOPE_TASKMANAGER_JOB_TASK);
  s.set_metric("busyTimeMsPerSecond");
  (*s.mutable_labels())["task_name"] = "map";
  s.set_kind(v1::METRIC_KIND_GAUGE);
  s.set_count(1);
  s.set_sum(value);
  s.set_sum_squares(value * value);
  s.set_min(value);
  s.set_max(value);
  s.set_last(value);
  s.set_last_timestamp_ms(ts);
  return s;
}

TEST(SeriesMergeTest, MergesStatisticsAcrossGateways) {
  v1::SeriesAggregate merged;
  MergeInto(merged, Make(100, 5));
  MergeInto(merged, Make(900, 3));
  MergeInto(merged, Make(500, 9));
  EXPECT_EQ(merged.metric(), "busyTimeMsPerSecond");
  EXPECT_EQ(merged.count(), 3u);
  EXPECT_DOUBLE_EQ(merged.sum(), 1500);
  EXPECT_DOUBLE_EQ(merged.sum_squares(), 100 * 100 + 900 * 900 + 500 * 500);
  EXPECT_DOUBLE_EQ(merged.min(), 100);
  EXPECT_DOUBLE_EQ(merged.max(), 900);
  EXPECT_DOUBLE_EQ(merged.last(), 500);  // newest timestamp wins
  EXPECT_EQ(merged.last_timestamp_ms(), 9);
}

TEST(SeriesMergeTest, EmptyContributionsKeepExtremesAndAddBaselines) {
  v1::SeriesAggregate merged = Make(7, 1);
  v1::SeriesAggregate baseline_only = Make(0, 2);
  baseline_only.set_count(0);
  baseline_only.set_baselined(2);
  MergeInto(merged, baseline_only);
  EXPECT_EQ(merged.count(), 1u);
  EXPECT_DOUBLE_EQ(merged.min(), 7);
  EXPECT_EQ(merged.baselined(), 2u);
}

TEST(SeriesMergeTest, QuantileMaximaAndInstancesCombine) {
  v1::SeriesAggregate a = Make(1, 1);
  (*a.mutable_quantile_max())["0.99"] = 10;
  a.add_instances()->set_value(1);
  v1::SeriesAggregate b = Make(2, 2);
  (*b.mutable_quantile_max())["0.99"] = 30;
  (*b.mutable_quantile_max())["0.5"] = 4;
  b.add_instances()->set_value(2);
  MergeInto(a, b);
  EXPECT_DOUBLE_EQ(a.quantile_max().at("0.99"), 30);
  EXPECT_DOUBLE_EQ(a.quantile_max().at("0.5"), 4);
  EXPECT_EQ(a.instances_size(), 2);
}

TEST(SeriesMergeTest, KeyIgnoresLabelInsertionOrder) {
  v1::SeriesAggregate a = Make(1, 1);
  (*a.mutable_labels())["operator_name"] = "x";
  v1::SeriesAggregate b;
  b.set_scope(a.scope());
  b.set_metric(a.metric());
  (*b.mutable_labels())["operator_name"] = "x";
  (*b.mutable_labels())["task_name"] = "map";
  EXPECT_EQ(SeriesKey(a), SeriesKey(b));
  (*b.mutable_labels())["task_name"] = "other";
  EXPECT_NE(SeriesKey(a), SeriesKey(b));
}

}  // namespace
}  // namespace vitals::aggregate
