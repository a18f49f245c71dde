#include "scorer/dimensions/latency.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::Feed;
using ::testing::HasSubstr;
using testing::IntervalBuilder;
using testing::Labels;

constexpr auto kOp = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
constexpr auto kGauge = v1::METRIC_KIND_GAUGE;
constexpr auto kMeter = v1::METRIC_KIND_METER;
const Labels kSource = {{"task_name", "Source: orders"}, {"operator_name", "Source: orders"}};

// A Kafka source with 4 subtasks.
MergedInterval Source(int i, double pending_per_subtask, double rate_per_subtask,
                      double event_lag_ms = 500) {
  return IntervalBuilder(i)
      .Add(kOp, "pendingRecords", kGauge, std::vector<double>(4, pending_per_subtask), kSource)
      .Add(kOp, "numRecordsInPerSecond", kMeter, std::vector<double>(4, rate_per_subtask), kSource)
      .Add(kOp, "currentEmitEventTimeLag", kGauge, std::vector<double>(4, event_lag_ms), kSource)
      .Build();
}

class LatencyTest : public ::testing::Test {
 protected:
  LatencyConfig config_;
  LatencyDimension dim_{&config_};
};

TEST_F(LatencyTest, NoBacklogIsHealthy) {
  auto s = Feed(dim_, 40, [](int i) { return Source(i, 0, 1000); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
  EXPECT_DOUBLE_EQ(s.score(), 10);
  EXPECT_THAT(s.explanation(), HasSubstr("keeping up"));
}

TEST_F(LatencyTest, BacklogIsPendingOverInputRate) {
  // 4 × 250k pending at 4 × 1000 rec/s: 250 s to catch up.
  auto s = Feed(dim_, 40, [](int i) { return Source(i, 250'000, 1000); });
  EXPECT_DOUBLE_EQ(s.observed(), 250);
  EXPECT_EQ(s.unit(), "s");
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_WARN);
  EXPECT_THAT(s.explanation(), HasSubstr("1M records pending on 'Source: orders' at 4k rec/s"));
}

TEST_F(LatencyTest, BacklogBeyondFiveMinutesIsCritical) {
  auto s = Feed(dim_, 40, [](int i) { return Source(i, 1'000'000, 1000); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.observed(), 1000);
}

TEST_F(LatencyTest, StalledSourceScoresZero) {
  auto s = Feed(dim_, 40, [](int i) { return Source(i, 5000, 0); });
  EXPECT_DOUBLE_EQ(s.score(), 0);
  EXPECT_TRUE(std::isinf(s.observed()));
  EXPECT_THAT(s.explanation(), HasSubstr("stalled"));
}

TEST_F(LatencyTest, EventTimeLagOfThreeMinutesIsCritical) {
  auto s = Feed(dim_, 40, [](int i) { return Source(i, 0, 1000, 240'000); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.observed(), 240);
  EXPECT_THAT(s.explanation(), HasSubstr("event-time lag 4 min"));
}

TEST_F(LatencyTest, OneSpikeIsNotSustained) {
  auto s = Feed(dim_, 40, [](int i) { return Source(i, i == 38 ? 1'000'000 : 0, 1000); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
}

TEST_F(LatencyTest, UndefinedLagsAreMissing) {
  // −1 before the first record, Long.MIN_VALUE watermark before the first
  // watermark: no data, not zero lag and not an eternity.
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kOp, "currentEmitEventTimeLag", kGauge, {-1, -1}, kSource)
        .Add(kOp, "watermarkLag", kGauge, {9.2e18}, kSource)
        .Add(kOp, "KafkaSourceReader_KafkaConsumer_records_lag_max", kGauge, {testing::kNaN},
             kSource)
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
}

TEST_F(LatencyTest, LegacyKafkaConsumerLagWithOutputRate) {
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kOp, "KafkaConsumer_records_lag_max", kGauge, {600'000, 600'000}, kSource)
        .Add(kOp, "numRecordsOutPerSecond", kMeter, {1000, 1000}, kSource)
        .Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 600);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
}

TEST_F(LatencyTest, WarmUpIntervalsAreSkipped) {
  // Restart at interval 35: catch-up lag afterwards does not count, the
  // settled intervals before it do.
  const int64_t restarts[] = {testing::kT0 + 35 * testing::kInterval};
  auto s = Feed(
      dim_, 40, [](int i) { return Source(i, i >= 35 ? 1'000'000 : 0, 1000); }, restarts);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
}

TEST_F(LatencyTest, OnlyWarmUpDataIsUnknown) {
  const int64_t restarts[] = {testing::kT0 + 30 * testing::kInterval};
  auto s = Feed(
      dim_, 40, [](int i) { return i >= 30 ? Source(i, 0, 1000) : IntervalBuilder(i).Build(); },
      restarts);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
  EXPECT_THAT(s.explanation(), HasSubstr("warming up"));
}

}  // namespace
}  // namespace vitals::scorer
