// Aggregator::Reload (SIGHUP): new fold rules, metric lists and caps take
// effect on held series without losing pending values or counter baselines.

#include <map>
#include <string>

#include "gateway/aggregate/aggregator.h"
#include "gtest/gtest.h"
#include "test/unit/gateway/aggregate/test_samples.h"

namespace vitals::gateway {
namespace {

using testing::OwnedSample;
using testing::Send;
using testing::Subtask;
using testing::TestConfig;

constexpr int64_t kT0 = 1'700'000'000'000;  // a multiple of 10 s

// Pointers into `batches`: keep it alive while using them.
std::vector<const v1::SeriesAggregate*> SeriesOf(const std::vector<v1::MetricBatch>& batches,
                                                 std::string_view metric) {
  std::vector<const v1::SeriesAggregate*> out;
  for (const v1::MetricBatch& batch : batches) {
    for (const v1::SeriesAggregate& series : batch.series()) {
      if (series.metric() == metric) out.push_back(&series);
    }
  }
  return out;
}

TEST(AggregatorReloadTest, NewFoldLabelsRerouteHeldSeriesKeepingBaselines) {
  Aggregator aggregator(TestConfig());
  // Interval 0 baselines two subtasks' counters.
  for (int i = 0; i < 2; ++i) Send(aggregator, Subtask("numRecordsIn", i, 100 * (i + 1), kT0));
  ASSERT_EQ(SeriesOf(aggregator.Flush(kT0 + 10'000), "numRecordsIn").size(), 1u);  // count only

  // Mid-interval 1: a pending value each, then the reload keeps subtasks apart.
  for (int i = 0; i < 2; ++i) {
    Send(aggregator, Subtask("numRecordsIn", i, 100 * (i + 1) + 10, kT0 + 11'000));
  }
  AggregatorConfig reloaded = TestConfig();
  reloaded.fold_labels = {"host", "tm_id", "source"};
  ASSERT_TRUE(aggregator.Reload(reloaded).ok());
  for (int i = 0; i < 2; ++i) {
    Send(aggregator, Subtask("numRecordsIn", i, 100 * (i + 1) + 20, kT0 + 15'000));
  }

  const auto batches = aggregator.Flush(kT0 + 20'000);
  const auto series = SeriesOf(batches, "numRecordsIn");
  ASSERT_EQ(series.size(), 2u) << "one aggregate per subtask after the reload";
  for (const v1::SeriesAggregate* s : series) {
    EXPECT_TRUE(s->labels().contains("subtask_index"));
    // The baseline of interval 0 survived: a delta of 20, not a new baseline.
    EXPECT_EQ(s->count(), 1u);
    EXPECT_EQ(s->baselined(), 0u);
    EXPECT_EQ(s->sum(), 20);
  }
  EXPECT_EQ(aggregator.stats().active_series, 2);
}

TEST(AggregatorReloadTest, NewCumulativeMetricStartsAFreshBaseline) {
  Aggregator aggregator(TestConfig());
  Send(aggregator, Subtask("myEvents", 0, 500, kT0));
  const auto first = aggregator.Flush(kT0 + 10'000);
  auto before = SeriesOf(first, "myEvents");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]->kind(), v1::METRIC_KIND_GAUGE);

  AggregatorConfig reloaded = TestConfig();
  reloaded.cumulative_metrics = {"myEvents"};
  ASSERT_TRUE(aggregator.Reload(reloaded).ok());
  Send(aggregator, Subtask("myEvents", 0, 600, kT0 + 11'000));
  Send(aggregator, Subtask("myEvents", 0, 650, kT0 + 21'000));
  const auto after = aggregator.Flush(kT0 + 30'000);
  const auto series = SeriesOf(after, "myEvents");
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0]->kind(), v1::METRIC_KIND_COUNTER);
  EXPECT_EQ(series[0]->baselined(), 1u);  // a gauge value is no counter baseline
  EXPECT_EQ(series[1]->sum(), 50);
}

TEST(AggregatorReloadTest, LoweredCapsApplyToNewSeriesOnly) {
  Aggregator aggregator(TestConfig());
  for (int i = 0; i < 3; ++i) Send(aggregator, Subtask("busyTimeMsPerSecond", i, 1, kT0));
  AggregatorConfig reloaded = TestConfig();
  reloaded.max_series_per_job = 2;
  ASSERT_TRUE(aggregator.Reload(reloaded).ok());
  for (int i = 0; i < 4; ++i) Send(aggregator, Subtask("busyTimeMsPerSecond", i, 2, kT0 + 1));
  EXPECT_EQ(aggregator.stats().dropped_for(DropReason::kJobCap), 1u);  // only subtask 3
  const auto batches = aggregator.Flush(kT0 + 10'000);
  const auto series = SeriesOf(batches, "busyTimeMsPerSecond");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0]->count(), 3u);
}

TEST(AggregatorReloadTest, InstanceMetricsFollowTheReload) {
  Aggregator aggregator(TestConfig());
  AggregatorConfig reloaded = TestConfig();
  reloaded.instance_metrics = {"numRecordsOutPerSecond"};
  for (int i = 0; i < 2; ++i) Send(aggregator, Subtask("numRecordsOutPerSecond", i, i + 1, kT0));
  ASSERT_TRUE(aggregator.Reload(reloaded).ok());
  const auto batches = aggregator.Flush(kT0 + 10'000);
  const auto series = SeriesOf(batches, "numRecordsOutPerSecond");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0]->instances_size(), 2);
}

TEST(AggregatorReloadTest, IntervalShardsAndInvalidConfigsAreRefusedByKey) {
  Aggregator aggregator(TestConfig());
  AggregatorConfig other_interval = TestConfig();
  other_interval.interval = absl::Seconds(30);
  absl::Status s = aggregator.Reload(other_interval);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("aggregation.interval"), std::string_view::npos) << s;
  AggregatorConfig other_shards = TestConfig();
  other_shards.shards = 8;
  EXPECT_NE(aggregator.Reload(other_shards).message().find("aggregation.shards"),
            std::string_view::npos);
  AggregatorConfig invalid = TestConfig();
  invalid.max_series = 0;
  EXPECT_FALSE(aggregator.Reload(invalid).ok());
}

}  // namespace
}  // namespace vitals::gateway
