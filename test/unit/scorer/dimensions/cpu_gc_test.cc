#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scorer/dimensions/cpu.h"
#include "scorer/dimensions/gc.h"
#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::Feed;
using ::testing::HasSubstr;
using testing::IntervalBuilder;

constexpr auto kTm = v1::SCOPE_TASKMANAGER;
constexpr auto kJm = v1::SCOPE_JOBMANAGER;
constexpr auto kGauge = v1::METRIC_KIND_GAUGE;
constexpr auto kCounter = v1::METRIC_KIND_COUNTER;

TEST(GcTest, WorstTaskManagerShareFromTimeMsPerSecond) {
  GcConfig config;
  GcDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kTm, "Status_JVM_GarbageCollector_All_TimeMsPerSecond", kGauge, {20, 170, 40})
        .Add(kJm, "Status_JVM_GarbageCollector_All_TimeMsPerSecond", kGauge, {900})
        .Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 0.17);  // the JobManager's GC is not the job's
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("worst TaskManager in GC 17% of the time"));
}

TEST(GcTest, BeforeFlink119SumsCollectorTimeIncreases) {
  GcConfig config;
  GcDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    // Per TM increase of <collector>.Time in a 10 s interval.
    return IntervalBuilder(i)
        .Add(kTm, "Status_JVM_GarbageCollector_G1_Young_Generation_Time", kCounter, {300, 500})
        .Add(kTm, "Status_JVM_GarbageCollector_G1_Old_Generation_Time", kCounter, {0, 100})
        .Add(kTm, "Status_JVM_GarbageCollector_G1_Young_Generation_Count", kCounter, {30, 50})
        .Build();
  });
  EXPECT_NEAR(s.observed(), 0.06, 1e-12);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
}

TEST(GcTest, DrElephantThresholds) {
  GcConfig config;
  for (auto [ms_per_s, state] :
       {std::pair{50.0, v1::DIMENSION_STATE_OK}, std::pair{120.0, v1::DIMENSION_STATE_WARN},
        std::pair{155.0, v1::DIMENSION_STATE_CRITICAL}}) {
    GcDimension dim(&config);
    auto s = Feed(dim, 10, [ms_per_s = ms_per_s](int i) {
      return IntervalBuilder(i)
          .Add(kTm, "Status_JVM_GarbageCollector_All_TimeMsPerSecond", kGauge, {ms_per_s})
          .Build();
    });
    EXPECT_EQ(s.state(), state) << ms_per_s;
  }
}

TEST(CpuTest, BusiestTaskManagerAveragedAndUndefinedIgnored) {
  CpuConfig config;
  CpuDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    // One TM cannot tell its load (−1); in odd intervals nothing is known.
    if (i % 2) return IntervalBuilder(i).Add(kTm, "Status_JVM_CPU_Load", kGauge, {-1}).Build();
    return IntervalBuilder(i).Add(kTm, "Status_JVM_CPU_Load", kGauge, {0.2, 0.95, -1}).Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 0.95);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
}

TEST(CpuTest, MissingIsUnknown) {
  CpuConfig config;
  CpuDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) { return IntervalBuilder(i).Build(); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
  EXPECT_TRUE(std::isnan(s.score()));
}

}  // namespace
}  // namespace vitals::scorer
