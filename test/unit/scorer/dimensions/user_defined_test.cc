#include "scorer/dimensions/user_defined.h"

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

UserDefinedConfig ErrorsConfig(Aggregation aggregation) {
  UserDefinedConfig c;
  c.name = "sink_errors";
  c.metric = "numRecordsOutErrors";
  c.scope = kOp;
  c.labels = {{"operator_name", "Sink"}};
  c.aggregation = aggregation;
  c.band = {0, 0, 1, 2};
  c.unit = "errors/s";
  return c;
}

MergedInterval Errors(int i, double per_subtask_delta) {
  return IntervalBuilder(i)
      .Add(kOp, "numRecordsOutErrors", v1::METRIC_KIND_COUNTER,
           {per_subtask_delta, per_subtask_delta}, Labels{{"operator_name", "Sink"}})
      .Add(kOp, "numRecordsOutErrors", v1::METRIC_KIND_COUNTER, {1e6},
           Labels{{"operator_name", "Other"}})
      .Build();
}

TEST(UserDefinedTest, RateOfACounterOverTheWindow) {
  UserDefinedConfig config = ErrorsConfig(Aggregation::kRate);
  UserDefinedDimension dim(&config);
  // 2 × 5 errors per 10 s = 1 error/s: exactly `bad`.
  auto s = Feed(dim, 40, [](int i) { return Errors(i, 5); });
  EXPECT_DOUBLE_EQ(s.observed(), 1);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_EQ(s.dimension(), "sink_errors");
  EXPECT_EQ(s.unit(), "errors/s");
  EXPECT_THAT(s.explanation(), HasSubstr("rate of numRecordsOutErrors over 5 min is 1 errors/s"));
}

TEST(UserDefinedTest, AggregationsDiffer) {
  for (auto [aggregation, expected] : {std::pair{Aggregation::kSum, 150.0},
                                       {Aggregation::kMax, 5.0},
                                       {Aggregation::kMean, 2.5},
                                       {Aggregation::kLast, 5.0},
                                       {Aggregation::kMin, 0.0}}) {
    UserDefinedConfig config = ErrorsConfig(aggregation);
    UserDefinedDimension dim(&config);
    auto s = Feed(dim, 40, [](int i) { return Errors(i, i % 2 ? 5 : 0); });
    EXPECT_DOUBLE_EQ(s.observed(), expected) << AggregationName(aggregation);
  }
}

TEST(UserDefinedTest, HigherIsBetterAndNegativeMissing) {
  UserDefinedConfig config;
  config.name = "hit_ratio";
  config.metric = "cacheHitRatio";
  config.aggregation = Aggregation::kMean;
  config.band = {0.99, 0.9, 0.5, 0.1, Direction::kHigherIsBetter};
  UserDefinedDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kOp, "cacheHitRatio", v1::METRIC_KIND_GAUGE, {0.95, 0.95})
        .Add(kOp, "cacheHitRatio", v1::METRIC_KIND_GAUGE, {-1}, Labels{{"operator_name", "cold"}})
        .Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 0.95);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
}

TEST(UserDefinedTest, AbsentMetricIsUnknown) {
  UserDefinedConfig config = ErrorsConfig(Aggregation::kRate);
  UserDefinedDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) { return IntervalBuilder(i).Build(); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
}

TEST(AggregationTest, ParsesItsNames) {
  Aggregation a;
  for (auto name : {"mean", "max", "min", "sum", "rate", "last"}) {
    ASSERT_TRUE(ParseAggregation(name, &a));
    EXPECT_EQ(AggregationName(a), name);
  }
  EXPECT_FALSE(ParseAggregation("p99", &a));
}

}  // namespace
}  // namespace vitals::scorer
