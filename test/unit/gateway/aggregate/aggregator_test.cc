#include "gateway/aggregate/aggregator.h"

#include <cmath>
#include <limits>
#include <thread>

#include "gtest/gtest.h"
#include "test/unit/gateway/aggregate/test_samples.h"

namespace vitals::gateway {
namespace {

using testing::FindBatch;
using testing::FindSeries;
using testing::Instances;
using testing::OwnedSample;
using testing::Send;
using testing::Subtask;
using testing::TestConfig;

constexpr int64_t kT0 = 1'700'000'000'000;  // a multiple of 10 s

const std::map<std::string, std::string> kMapOp = {{"operator_name", "Map"}, {"task_name", "Map"}};

class AggregatorTest : public ::testing::Test {
 protected:
  explicit AggregatorTest(AggregatorConfig config = TestConfig()) : aggregator_(config) {}

  // The only aggregate of `metric` in `job`'s batch for the interval at `start`.
  const v1::SeriesAggregate& Only(const std::vector<v1::MetricBatch>& batches, int64_t start,
                                  std::string_view metric, std::string_view job = "orders",
                                  const std::map<std::string, std::string>& labels = kMapOp) {
    const v1::MetricBatch* batch = FindBatch(batches, job, start);
    if (batch == nullptr) {
      ADD_FAILURE() << "no batch for " << job << " at " << start;
      return empty_;
    }
    const v1::SeriesAggregate* series = FindSeries(*batch, metric, labels);
    if (series == nullptr) {
      ADD_FAILURE() << "no series " << metric << " in " << batch->DebugString();
      return empty_;
    }
    return *series;
  }

  Aggregator aggregator_;
  v1::SeriesAggregate empty_;
};

TEST_F(AggregatorTest, BatchCarriesIdentityAndAlignedInterval) {
  OwnedSample s = Subtask("lastCheckpointDuration", 0, 42, kT0 + 12'345);
  s.scope = v1::SCOPE_JOBMANAGER_JOB;
  s.labels = {{"host", "jm"}};
  s.job_id = "abc123";
  Send(aggregator_, s);
  auto batches = aggregator_.Flush(kT0 + 20'000);
  ASSERT_EQ(batches.size(), 1u);
  const v1::MetricBatch& b = batches[0];
  EXPECT_EQ(b.gateway(), "node-1");
  EXPECT_EQ(b.cluster(), "k8s-test");
  EXPECT_EQ(b.job_name(), "orders");
  EXPECT_EQ(b.job_id(), "abc123");
  EXPECT_EQ(b.interval_start_ms(), kT0 + 10'000);
  EXPECT_EQ(b.interval_length_ms(), 10'000);
  ASSERT_EQ(b.series_size(), 1);
  EXPECT_EQ(b.series(0).scope(), v1::SCOPE_JOBMANAGER_JOB);
  EXPECT_EQ(b.series(0).kind(), v1::METRIC_KIND_GAUGE);
  EXPECT_TRUE(b.series(0).labels().empty());  // host folded away
  EXPECT_EQ(b.series(0).last(), 42);
  EXPECT_EQ(b.series(0).last_timestamp_ms(), kT0 + 12'345);
}

TEST_F(AggregatorTest, FlushClosesOnlyIntervalsThatHaveEnded) {
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 9'999));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 2, kT0 + 10'000));
  EXPECT_TRUE(aggregator_.Flush(kT0 + 9'999).empty());
  auto first = aggregator_.Flush(kT0 + 10'000);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].interval_start_ms(), kT0);
  EXPECT_EQ(Only(first, kT0, "busyTimeMsPerSecond").last(), 1);
  EXPECT_TRUE(aggregator_.Flush(kT0 + 19'999).empty());
  auto second = aggregator_.Flush(kT0 + 20'000);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(Only(second, kT0 + 10'000, "busyTimeMsPerSecond").last(), 2);
}

TEST_F(AggregatorTest, FlushAllClosesTheOpenInterval) {
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 7, kT0 + 3'000));
  EXPECT_TRUE(aggregator_.Flush(kT0 + 5'000).empty());
  auto batches = aggregator_.FlushAll(kT0 + 5'000);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(Only(batches, kT0, "busyTimeMsPerSecond").max(), 7);
  // Nothing more may land in the interval that was just published.
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 8, kT0 + 6'000));
  EXPECT_EQ(aggregator_.stats().dropped_for(DropReason::kLate), 1u);
  EXPECT_TRUE(aggregator_.FlushAll(kT0 + 9'000).empty());
}

TEST_F(AggregatorTest, GaugeContributesItsLastValuePerSourceSeries) {
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 100, kT0 + 1'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 300, kT0 + 5'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 999, kT0 + 4'000));  // older: not the last
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 200, kT0 + 2'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 200, kT0 + 2'000));  // StatsD sends twice
  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& s = Only(batches, kT0, "busyTimeMsPerSecond");
  EXPECT_EQ(s.kind(), v1::METRIC_KIND_METER);
  EXPECT_EQ(s.count(), 2u);
  EXPECT_EQ(s.sum(), 500);
  EXPECT_EQ(s.sum_squares(), 300.0 * 300 + 200.0 * 200);
  EXPECT_EQ(s.min(), 200);
  EXPECT_EQ(s.max(), 300);
  EXPECT_EQ(s.last(), 300);
  EXPECT_EQ(s.last_timestamp_ms(), kT0 + 5'000);
  EXPECT_EQ(s.baselined(), 0u);
}

TEST_F(AggregatorTest, CounterFirstSightingOnlySetsTheBaseline) {
  Send(aggregator_, Subtask("numRecordsIn", 0, 1'000'000, kT0 + 1'000));
  Send(aggregator_, Subtask("numRecordsIn", 1, 2'000'000, kT0 + 1'000));
  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& s = Only(batches, kT0, "numRecordsIn");
  EXPECT_EQ(s.kind(), v1::METRIC_KIND_COUNTER);
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.baselined(), 2u);
  EXPECT_EQ(s.sum(), 0);  // never the raw cumulative values
}

TEST_F(AggregatorTest, CounterDeltasAreSummedAcrossSourcesAndResetsCounted) {
  // Interval 0 baselines, interval 1 gives deltas, interval 2 has a reset.
  Send(aggregator_, Subtask("numRecordsIn", 0, 100, kT0 + 1'000));
  Send(aggregator_, Subtask("numRecordsIn", 1, 5'000, kT0 + 1'000));
  Send(aggregator_, Subtask("numRecordsIn", 0, 150, kT0 + 11'000));
  Send(aggregator_, Subtask("numRecordsIn", 0, 170, kT0 + 15'000));  // last in the interval wins
  Send(aggregator_, Subtask("numRecordsIn", 1, 5'100, kT0 + 11'000));
  Send(aggregator_, Subtask("numRecordsIn", 0, 30, kT0 + 21'000));  // pod restarted
  Send(aggregator_, Subtask("numRecordsIn", 1, 5'100, kT0 + 21'000));
  auto batches = aggregator_.Flush(kT0 + 30'000);
  ASSERT_EQ(batches.size(), 3u);

  const auto& second = Only(batches, kT0 + 10'000, "numRecordsIn");
  EXPECT_EQ(second.count(), 2u);
  EXPECT_EQ(second.baselined(), 0u);
  EXPECT_EQ(second.sum(), 70 + 100);
  EXPECT_EQ(second.min(), 70);
  EXPECT_EQ(second.max(), 100);

  const auto& third = Only(batches, kT0 + 20'000, "numRecordsIn");
  EXPECT_EQ(third.count(), 2u);
  EXPECT_EQ(third.sum(), 30 + 0);  // the reset's new value is its delta
  EXPECT_EQ(third.min(), 0);
  EXPECT_EQ(third.max(), 30);
}

TEST_F(AggregatorTest, CounterWithAGapDifferencesAgainstTheLastValueSeen) {
  Send(aggregator_, Subtask("numRestarts", 0, 2, kT0));
  Send(aggregator_, Subtask("numRestarts", 0, 5, kT0 + 30'000));
  auto batches = aggregator_.Flush(kT0 + 40'000);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(Only(batches, kT0 + 30'000, "numRestarts").sum(), 3);
}

TEST_F(AggregatorTest, NonFiniteSamplesAreMissingNotZero) {
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, std::nan(""), kT0 + 1'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 400, kT0 + 1'000));
  Send(aggregator_,
       Subtask("busyTimeMsPerSecond", 2, std::numeric_limits<double>::infinity(), kT0 + 1'000));
  // A NaN after a good value keeps the good one rather than replacing it.
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, std::nan(""), kT0 + 2'000));
  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& s = Only(batches, kT0, "busyTimeMsPerSecond");
  EXPECT_EQ(s.count(), 1u);
  EXPECT_EQ(s.sum(), 400);
  EXPECT_EQ(aggregator_.stats().non_finite_skipped, 3u);
}

TEST_F(AggregatorTest, FlinksUndefinedMarkersAreMissing) {
  Send(aggregator_, Subtask("currentEmitEventTimeLag", 0, -1, kT0 + 1'000));
  Send(aggregator_, Subtask("currentEmitEventTimeLag", 1, 250, kT0 + 1'000));
  Send(aggregator_, Subtask("currentOutputWatermark", 0, -9223372036854775808.0, kT0 + 1'000));
  Send(aggregator_, Subtask("currentOutputWatermark", 1, 1.7e12, kT0 + 1'000));
  Send(aggregator_, Subtask("someUserGauge", 0, -1, kT0 + 1'000));  // -1 is data here
  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& lag = Only(batches, kT0, "currentEmitEventTimeLag");
  EXPECT_EQ(lag.count(), 1u);
  EXPECT_EQ(lag.min(), 250);
  EXPECT_EQ(Only(batches, kT0, "currentOutputWatermark").min(), 1.7e12);
  EXPECT_EQ(Only(batches, kT0, "someUserGauge").min(), -1);
  EXPECT_EQ(aggregator_.stats().undefined_skipped, 2u);
}

TEST_F(AggregatorTest, SummaryAndPlainSeriesOfOneNameConflict) {
  OwnedSample q = Subtask("latency", 0, 5, kT0 + 1'000);
  q.type = SampleType::kSummary;
  q.quantile = "0.5";
  Send(aggregator_, q);
  Send(aggregator_, Subtask("latency", 0, 7, kT0 + 2'000));  // same series, no quantile
  Send(aggregator_, Subtask("latency", 1, 7, kT0 + 2'000));  // new series, same aggregate
  EXPECT_EQ(aggregator_.stats().dropped_for(DropReason::kKindConflict), 2u);
  auto batches = aggregator_.Flush(kT0 + 10'000);
  EXPECT_EQ(Only(batches, kT0, "latency").kind(), v1::METRIC_KIND_SUMMARY);
}

TEST_F(AggregatorTest, SummaryFieldsOtherThanQuantilesBecomeGauges) {
  OwnedSample s = Subtask("latency", 0, 12.5, kT0 + 1'000);
  s.type = SampleType::kSummary;
  s.quantile = "mean";  // StatsD's histogram mean
  Send(aggregator_, s);
  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& mean = Only(batches, kT0, "latency_mean");
  EXPECT_EQ(mean.kind(), v1::METRIC_KIND_GAUGE);
  EXPECT_EQ(mean.max(), 12.5);
}

TEST_F(AggregatorTest, SummaryKeepsCountExtremesAndQuantileMaxima) {
  auto quantile = [](int subtask, std::string q, double value, int64_t ts = kT0 + 1'000) {
    OwnedSample s = Subtask("checkpointAlignmentTime", subtask, value, ts);
    s.type = SampleType::kSummary;
    s.quantile = std::move(q);
    return s;
  };
  Send(aggregator_, quantile(0, "0.0", 1));
  Send(aggregator_, quantile(0, "0.5", 10));
  Send(aggregator_, quantile(0, "1.0", 50));
  Send(aggregator_, quantile(1, "0.0", 3));
  Send(aggregator_, quantile(1, "0.5", 20));
  Send(aggregator_, quantile(1, "1.0", 40));
  Send(aggregator_, quantile(0, "count", 1'000));
  Send(aggregator_, quantile(1, "count", 500));
  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& s = Only(batches, kT0, "checkpointAlignmentTime");
  EXPECT_EQ(s.kind(), v1::METRIC_KIND_SUMMARY);
  EXPECT_EQ(s.count(), 2u);
  EXPECT_EQ(s.min(), 1);
  EXPECT_EQ(s.max(), 50);
  ASSERT_EQ(s.quantile_max_size(), 3);
  EXPECT_EQ(s.quantile_max().at("0.0"), 3);
  EXPECT_EQ(s.quantile_max().at("0.5"), 20);
  EXPECT_EQ(s.quantile_max().at("1.0"), 50);
  // The observation count is cumulative: a counter series of its own.
  const auto& count = Only(batches, kT0, "checkpointAlignmentTime_count");
  EXPECT_EQ(count.kind(), v1::METRIC_KIND_COUNTER);
  EXPECT_EQ(count.baselined(), 2u);

  Send(aggregator_, quantile(0, "count", 1'100, kT0 + 11'000));
  Send(aggregator_, quantile(1, "count", 530, kT0 + 11'000));
  batches = aggregator_.Flush(kT0 + 20'000);
  EXPECT_EQ(Only(batches, kT0 + 10'000, "checkpointAlignmentTime_count").sum(), 130);
}

TEST_F(AggregatorTest, InstancesOnlyForSkewMetrics) {
  for (int i = 0; i < 3; ++i) {
    Send(aggregator_, Subtask("numRecordsInPerSecond", i, 10.0 * (i + 1), kT0 + 1'000));
    Send(aggregator_, Subtask("numRecordsOutPerSecond", i, 1, kT0 + 1'000));
  }
  OwnedSample tm;
  tm.scope = v1::SCOPE_TASKMANAGER;
  tm.metric = "busyTimeMsPerSecond";  // listed metric at TM scope: no subtask
  tm.labels = {{"host", "h"}, {"tm_id", "tm-7"}};
  tm.value = 5;
  tm.timestamp_ms = kT0 + 1'000;
  Send(aggregator_, tm);

  auto batches = aggregator_.Flush(kT0 + 10'000);
  const auto& in = Only(batches, kT0, "numRecordsInPerSecond");
  EXPECT_EQ(Instances(in),
            (std::multiset<std::pair<std::string, double>>{{"0", 10}, {"1", 20}, {"2", 30}}));
  EXPECT_EQ(Only(batches, kT0, "numRecordsOutPerSecond").instances_size(), 0);
  const auto& busy = Only(batches, kT0, "busyTimeMsPerSecond", "orders", {});
  EXPECT_EQ(Instances(busy), (std::multiset<std::pair<std::string, double>>{{"tm-7", 5}}));
}

TEST_F(AggregatorTest, JobsAreBatchedApartAndSortedByIntervalThenName) {
  for (std::string job : {"zeta", "alpha"}) {
    OwnedSample s = Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 1'000);
    s.job_name = job;
    Send(aggregator_, s);
    s.timestamp_ms += 10'000;
    Send(aggregator_, s);
  }
  auto batches = aggregator_.Flush(kT0 + 20'000);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[0].job_name(), "alpha");
  EXPECT_EQ(batches[1].job_name(), "zeta");
  EXPECT_EQ(batches[2].job_name(), "alpha");
  EXPECT_EQ(batches[2].interval_start_ms(), kT0 + 10'000);
  EXPECT_EQ(aggregator_.stats().intervals_flushed, 2u);
  EXPECT_EQ(aggregator_.stats().batches_flushed, 4u);
}

TEST_F(AggregatorTest, JobIdFollowsTheNewestSamplesOfEachInterval) {
  OwnedSample s = Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 1'000);
  s.job_id = "old";
  Send(aggregator_, s);
  s.job_id = "new";  // redeployed: same job name, new id
  s.timestamp_ms = kT0 + 11'000;
  Send(aggregator_, s);
  auto batches = aggregator_.Flush(kT0 + 20'000);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].job_id(), "old");
  EXPECT_EQ(batches[1].job_id(), "new");
}

TEST_F(AggregatorTest, LateSamplesAreDroppedAndCounted) {
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 1'000));
  aggregator_.Flush(kT0 + 10'000);
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 1, kT0 + 9'000));
  // A series that already reported in a later interval cannot go back.
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 21'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 12'000));
  EXPECT_EQ(aggregator_.stats().dropped_for(DropReason::kLate), 2u);
  auto batches = aggregator_.Flush(kT0 + 30'000);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].interval_start_ms(), kT0 + 20'000);
}

TEST_F(AggregatorTest, SamplesSwitchingBackAndForthLandInTheirOwnIntervals) {
  // One shard sees interval after interval, then an earlier one again (a
  // slow sender): each sample must still find its own interval.
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 9'999));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 2, kT0 + 10'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 2, 3, kT0 + 500));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 3, 4, kT0 + 19'999));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 4, 5, kT0 - 1));
  auto batches = aggregator_.Flush(kT0 + 20'000);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(Only(batches, kT0 - 10'000, "busyTimeMsPerSecond").sum(), 5);
  EXPECT_EQ(Only(batches, kT0, "busyTimeMsPerSecond").sum(), 1 + 3);
  EXPECT_EQ(Only(batches, kT0 + 10'000, "busyTimeMsPerSecond").sum(), 2 + 4);
}

TEST_F(AggregatorTest, TimestampsAtTheEndsOfTheRangeAreHandled) {
  // Hostile or broken senders: nothing may overflow. The oldest are late.
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, std::numeric_limits<int64_t>::min()));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 1, std::numeric_limits<int64_t>::min() + 1));
  EXPECT_EQ(aggregator_.stats().dropped_for(DropReason::kLate), 2u);
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 2, 7, kT0 + 1'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 3, 9, std::numeric_limits<int64_t>::max()));
  auto batches = aggregator_.Flush(kT0 + 10'000);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(Only(batches, kT0, "busyTimeMsPerSecond").sum(), 7);
  EXPECT_EQ(aggregator_.stats().samples_folded, 2u);
}

TEST_F(AggregatorTest, StatsCountFoldedSamplesAndActiveSeries) {
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 1, kT0 + 1'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 0, 2, kT0 + 2'000));
  Send(aggregator_, Subtask("busyTimeMsPerSecond", 1, 1, kT0 + 1'000));
  Send(aggregator_, Subtask("numRecordsIn", 1, 1, kT0 + 1'000));
  AggregatorStats stats = aggregator_.stats();
  EXPECT_EQ(stats.samples_folded, 4u);
  EXPECT_EQ(stats.active_series, 3);
  EXPECT_EQ(stats.active_aggregates, 2);
}

TEST(AggregatorLabelsTest, InstanceLabelsAndSourceFoldAwayOthersSurvive) {
  Aggregator aggregator(TestConfig());
  OwnedSample s = Subtask("currentEmitEventTimeLag", 0, 5, kT0 + 1'000);
  s.labels["topic"] = "orders-in";  // a user group survives
  s.labels["task_attempt_id"] = "a0";
  Send(aggregator, s);
  s = Subtask("currentEmitEventTimeLag", 1, 7, kT0 + 1'000);
  s.labels["topic"] = "orders-in";
  Send(aggregator, s);
  auto batches = aggregator.Flush(kT0 + 10'000);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].series_size(), 1);
  const auto& series = batches[0].series(0);
  std::map<std::string, std::string> labels(series.labels().begin(), series.labels().end());
  EXPECT_EQ(labels, (std::map<std::string, std::string>{
                        {"operator_name", "Map"}, {"task_name", "Map"}, {"topic", "orders-in"}}));
  EXPECT_EQ(series.count(), 2u);
}

TEST(AggregatorLabelsTest, RawMetricsKeepEveryLabel) {
  AggregatorConfig config = TestConfig();
  config.raw_metrics = {"currentOutputWatermark"};
  Aggregator aggregator(config);
  for (int i = 0; i < 2; ++i) {
    Send(aggregator, Subtask("currentOutputWatermark", i, 100 + i, kT0 + 1'000));
    Send(aggregator, Subtask("currentInputWatermark", i, 100 + i, kT0 + 1'000));
  }
  auto batches = aggregator.Flush(kT0 + 10'000);
  ASSERT_EQ(batches.size(), 1u);
  int raw = 0;
  for (const auto& series : batches[0].series()) {
    if (series.metric() == "currentOutputWatermark") {
      ++raw;
      EXPECT_EQ(series.count(), 1u);
      EXPECT_TRUE(series.labels().contains("subtask_index"));
      EXPECT_FALSE(series.labels().contains("source"));
    } else {
      EXPECT_EQ(series.count(), 2u);
    }
  }
  EXPECT_EQ(raw, 2);
}

TEST(AggregatorLabelsTest, FoldLabelsAreConfigurableSourceIncluded) {
  AggregatorConfig config = TestConfig();
  config.fold_labels = {"host", "tm_id", "task_attempt_num"};  // keeps subtask_index and source
  Aggregator aggregator(config);
  Send(aggregator, Subtask("busyTimeMsPerSecond", 3, 1, kT0 + 1'000));
  auto batches = aggregator.Flush(kT0 + 10'000);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].series_size(), 1);
  std::map<std::string, std::string> labels(batches[0].series(0).labels().begin(),
                                            batches[0].series(0).labels().end());
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{"operator_name", "Map"},
                                                        {"source", "pod-3"},
                                                        {"subtask_index", "3"},
                                                        {"task_name", "Map"}}));
}

TEST(AggregatorCapsTest, PerJobAndGlobalCapsDropNewSeriesOnly) {
  AggregatorConfig config = TestConfig();
  config.max_series_per_job = 3;
  config.max_series = 5;
  Aggregator aggregator(config);
  for (int i = 0; i < 4; ++i) Send(aggregator, Subtask("busyTimeMsPerSecond", i, 1, kT0));
  EXPECT_EQ(aggregator.stats().dropped_for(DropReason::kJobCap), 1u);
  // Known series keep flowing at the cap.
  Send(aggregator, Subtask("busyTimeMsPerSecond", 0, 2, kT0 + 1));
  EXPECT_EQ(aggregator.stats().dropped_for(DropReason::kJobCap), 1u);

  for (int i = 0; i < 3; ++i) {
    OwnedSample s = Subtask("busyTimeMsPerSecond", i, 1, kT0);
    s.job_name = "other";
    Send(aggregator, s);
  }
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.dropped_for(DropReason::kGlobalCap), 1u);
  EXPECT_EQ(stats.active_series, 5);
  auto batches = aggregator.Flush(kT0 + 10'000);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].job_name(), "orders");
  EXPECT_EQ(batches[0].series(0).count(), 3u);
  EXPECT_EQ(batches[1].series(0).count(), 2u);
}

TEST(AggregatorExpiryTest, UnseenSeriesExpireAndCountersRebaseline) {
  AggregatorConfig config = TestConfig();
  config.expire_after_intervals = 2;
  Aggregator aggregator(config);
  Send(aggregator, Subtask("numRecordsOut", 0, 100, kT0));
  Send(aggregator, Subtask("numRecordsOut", 1, 100, kT0));
  aggregator.Flush(kT0 + 10'000);
  // Subtask 1 keeps reporting; subtask 0 falls silent.
  Send(aggregator, Subtask("numRecordsOut", 1, 110, kT0 + 10'000));
  aggregator.Flush(kT0 + 20'000);
  Send(aggregator, Subtask("numRecordsOut", 1, 120, kT0 + 20'000));
  aggregator.Flush(kT0 + 30'000);  // subtask 0 unseen for 2 closed intervals
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.series_expired, 1u);
  EXPECT_EQ(stats.active_series, 1);

  // Back after expiry: its baseline was forgotten, so no bogus delta of 900.
  Send(aggregator, Subtask("numRecordsOut", 0, 1'000, kT0 + 30'000));
  Send(aggregator, Subtask("numRecordsOut", 1, 130, kT0 + 30'000));
  auto batches = aggregator.Flush(kT0 + 40'000);
  ASSERT_EQ(batches.size(), 1u);
  const auto& s = batches[0].series(0);
  EXPECT_EQ(s.baselined(), 1u);
  EXPECT_EQ(s.count(), 1u);
  EXPECT_EQ(s.sum(), 10);
}

TEST(AggregatorExpiryTest, ExpiryFreesAggregatesAndJobs) {
  AggregatorConfig config = TestConfig();
  config.expire_after_intervals = 1;
  Aggregator aggregator(config);
  Send(aggregator, Subtask("busyTimeMsPerSecond", 0, 1, kT0));
  aggregator.Flush(kT0 + 10'000);
  EXPECT_EQ(aggregator.stats().active_aggregates, 1);
  aggregator.Flush(kT0 + 20'000);
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 0);
  EXPECT_EQ(stats.active_aggregates, 0);
  EXPECT_TRUE(aggregator.Flush(kT0 + 60'000).empty());
}

TEST(AggregatorExpiryTest, SurvivorsKeepTheirStateWhenMostSeriesExpire) {
  // Expiring most of a large fleet compacts the source-series table: the
  // survivors' counter baselines and pending values must move with them.
  AggregatorConfig config = TestConfig();
  config.expire_after_intervals = 1;
  config.shards = 1;
  Aggregator aggregator(config);
  constexpr int kSubtasks = 5000;
  for (int i = 0; i < kSubtasks; ++i) Send(aggregator, Subtask("numRecordsOut", i, 100, kT0));
  aggregator.Flush(kT0 + 10'000);
  // Only every tenth subtask keeps reporting.
  for (int i = 0; i < kSubtasks; i += 10) {
    Send(aggregator, Subtask("numRecordsOut", i, 150, kT0 + 10'000));
  }
  aggregator.Flush(kT0 + 20'000);
  for (int i = 0; i < kSubtasks; i += 10) {
    Send(aggregator, Subtask("numRecordsOut", i, 160, kT0 + 20'000));
  }
  aggregator.Flush(kT0 + 30'000);  // the silent 90 % expire here
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.series_expired, kSubtasks * 9 / 10);
  EXPECT_EQ(stats.active_series, kSubtasks / 10);
  for (int i = 0; i < kSubtasks; i += 10) {
    Send(aggregator, Subtask("numRecordsOut", i, 175, kT0 + 30'000));
  }
  auto batches = aggregator.Flush(kT0 + 40'000);
  ASSERT_EQ(batches.size(), 1u);
  const auto& s = batches[0].series(0);
  EXPECT_EQ(s.baselined(), 0u);
  EXPECT_EQ(s.count(), static_cast<uint64_t>(kSubtasks / 10));
  EXPECT_EQ(s.sum(), 15.0 * kSubtasks / 10);
}

TEST(AggregatorConcurrencyTest, ThreadsAddingAtOnceLoseNothing) {
  Aggregator aggregator(TestConfig());
  constexpr int kThreads = 4;
  constexpr int kJobs = 8;
  constexpr int kSubtasks = 16;
  constexpr int kRounds = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&aggregator, t] {
      // Each thread owns some subtasks of every job: threads collide on shards.
      for (int round = 0; round < kRounds; ++round) {
        for (int job = 0; job < kJobs; ++job) {
          for (int subtask = t; subtask < kSubtasks; subtask += kThreads) {
            OwnedSample s = Subtask("numRecordsIn", subtask, round * 10.0, kT0 + round * 10'000);
            s.job_name = "job-" + std::to_string(job);
            Send(aggregator, s);
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto batches = aggregator.FlushAll(kT0 + (kRounds - 1) * 10'000);
  ASSERT_EQ(batches.size(), static_cast<size_t>(kJobs * kRounds));
  double total = 0;
  uint64_t baselined = 0;
  for (const auto& batch : batches) {
    for (const auto& series : batch.series()) {
      total += series.sum();
      baselined += series.baselined();
    }
  }
  EXPECT_EQ(baselined, static_cast<uint64_t>(kJobs * kSubtasks));
  EXPECT_EQ(total, 10.0 * (kRounds - 1) * kJobs * kSubtasks);
  EXPECT_EQ(aggregator.stats().samples_folded, static_cast<uint64_t>(kJobs * kSubtasks * kRounds));
}

TEST(AggregatorCreateTest, RejectsAnInvalidConfig) {
  AggregatorConfig config = TestConfig();
  config.shards = 0;
  auto aggregator = Aggregator::Create(config);
  ASSERT_FALSE(aggregator.ok());
  EXPECT_EQ(aggregator.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Aggregator::Create(TestConfig()).ok());
}

}  // namespace
}  // namespace vitals::gateway

namespace vitals::gateway {
namespace {

TEST(AggregatorJobLabelsTest, JobLabelsMoveFromTheSeriesToTheBatch) {
  AggregatorConfig config = TestConfig();
  config.tenant_label = "tenant";
  Aggregator aggregator(config);
  for (int i = 0; i < 2; ++i) {
    OwnedSample s = Subtask("busyTimeMsPerSecond", i, 1, kT0 + 1'000);
    s.labels["team"] = "payments";
    s.labels["tenant"] = "shop";
    Send(aggregator, s);
  }
  Send(aggregator, Subtask("busyTimeMsPerSecond", 2, 1, kT0 + 1'000));  // no job labels
  const auto batches = aggregator.Flush(kT0 + 10'000);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].job_labels().at("team"), "payments");
  EXPECT_EQ(batches[0].tenant(), "shop");
  ASSERT_EQ(batches[0].series_size(), 1) << "job labels do not split aggregates";
  EXPECT_EQ(batches[0].series(0).count(), 3u);
  EXPECT_FALSE(batches[0].series(0).labels().contains("team"));
}

TEST(AggregatorJobLabelsTest, TenantLabelMustBeAJobLabel) {
  AggregatorConfig config = TestConfig();
  config.tenant_label = "org";
  EXPECT_FALSE(config.Validate().ok());
  config.job_labels.push_back("org");
  EXPECT_TRUE(config.Validate().ok());
}

}  // namespace
}  // namespace vitals::gateway
