#include "scorer/dimensions/backpressure.h"

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

constexpr auto kTask = v1::SCOPE_TASKMANAGER_JOB_TASK;
constexpr auto kGauge = v1::METRIC_KIND_GAUGE;

Labels Task(const char* name) { return {{"task_name", name}}; }

class BackpressureTest : public ::testing::Test {
 protected:
  BackpressureConfig config_;
  BackpressureDimension dim_{&config_};
};

TEST_F(BackpressureTest, NoBackpressureIsHealthy) {
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kTask, "backPressuredTimeMsPerSecond", kGauge, {0, 0, 0}, Task("Source"))
        .Add(kTask, "busyTimeMsPerSecond", kGauge, {300, 310, 290}, Task("Source"))
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
  EXPECT_DOUBLE_EQ(s.score(), 10);
  EXPECT_THAT(s.explanation(), HasSubstr("backpressure OK: no task backpressured"));
}

TEST_F(BackpressureTest, HighOnOneTaskNamesTheBottleneck) {
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kTask, "backPressuredTimeMsPerSecond", kGauge, {800, 820, 790}, Task("Map"))
        .Add(kTask, "backPressuredTimeMsPerSecond", kGauge, {0, 0, 0}, Task("Sink: kafka"))
        .Add(kTask, "busyTimeMsPerSecond", kGauge, {150, 150, 150}, Task("Map"))
        .Add(kTask, "busyTimeMsPerSecond", kGauge, {970, 980, 960}, Task("Sink: kafka"))
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.observed(), 0.82);  // max over subtasks, as Flink's UI
  EXPECT_THAT(s.explanation(), HasSubstr("backpressure HIGH: 'Map' backpressured 82%"));
  EXPECT_THAT(s.explanation(), HasSubstr("likely bottleneck 'Sink: kafka' (busy 98%)"));
}

TEST_F(BackpressureTest, ModerateEverywhereIsCaughtJobWide) {
  auto s = Feed(dim_, 40, [](int i) {
    IntervalBuilder b(i);
    for (const char* t : {"A", "B", "C", "D"}) {
      b.Add(kTask, "backPressuredTimeMsPerSecond", kGauge, {300, 300}, Task(t));
    }
    return b.Build();
  });
  // 0.3 per task is LOW in Flink's UI, but the whole pipeline waits 30%.
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("30% of all subtask time"));
}

TEST_F(BackpressureTest, LegacyIsBackPressuredShareAndIdleTime) {
  auto s = Feed(dim_, 40, [](int i) {
    // Flink 1.12: 3 of 4 subtasks backpressured at each report.
    return IntervalBuilder(i)
        .Add(kTask, "isBackPressured", kGauge, {1, 1, 1, 0}, Task("Map"))
        .Add(kTask, "isBackPressured", kGauge, {0, 0, 0, 0}, Task("Sink"))
        .Add(kTask, "idleTimeMsPerSecond", kGauge, {900, 900, 900, 900}, Task("Map"))
        .Add(kTask, "idleTimeMsPerSecond", kGauge, {50, 80, 60, 70}, Task("Sink"))
        .Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 0.75);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("likely bottleneck 'Sink' (busy 95%)"));
}

TEST_F(BackpressureTest, NaNBusyTimeIsIgnored) {
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kTask, "backPressuredTimeMsPerSecond", kGauge, {0, 0}, Task("Map"))
        .Add(kTask, "busyTimeMsPerSecond", kGauge, {testing::kNaN}, Task("Map"))
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
}

}  // namespace
}  // namespace vitals::scorer
