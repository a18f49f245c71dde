#include "scorer/dimensions/skew.h"

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
constexpr auto kMeter = v1::METRIC_KIND_METER;

TEST(SkewPercentTest, FlinkFormula) {
  // mean 2, mean absolute deviation (1 + 1 + 1 + 3) / 4 = 1.5: 75%.
  EXPECT_DOUBLE_EQ(SkewPercent(std::vector<double>{1, 1, 1, 5}), 75);
  EXPECT_DOUBLE_EQ(SkewPercent(std::vector<double>{7, 7, 7}), 0);
  EXPECT_DOUBLE_EQ(SkewPercent(std::vector<double>{0, 0}), 0);            // idle: no skew
  EXPECT_DOUBLE_EQ(SkewPercent(std::vector<double>{0, 0, 0, 100}), 100);  // 150% capped
  // 12 partitions on 8 subtasks: four read two, four read one.
  EXPECT_NEAR(SkewPercent(std::vector<double>{2, 2, 2, 2, 1, 1, 1, 1}), 33.3, 0.1);
}

MergedInterval Rates(int i, std::vector<double> rates, const char* op = "Window") {
  return IntervalBuilder(i)
      .Add(kOp, "numRecordsInPerSecond", kMeter, rates, Labels{{"operator_name", op}}, true)
      .Build();
}

TEST(SkewTest, HotSubtaskIsCritical) {
  SkewConfig config;
  SkewDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    return Rates(i, {5000, 1000, 1000, 1000, 1000, 1000, 1000, 1000});
  });
  EXPECT_NEAR(s.observed(), 58.3, 0.1);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("input skewed: worst operator 'Window' at 58% skew"));
  EXPECT_THAT(s.explanation(), HasSubstr("busiest subtask 5k rec/s vs mean 1.5k"));
}

TEST(SkewTest, WorstOperatorDecides) {
  SkewConfig config;
  SkewDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kOp, "numRecordsInPerSecond", kMeter, {100, 100}, Labels{{"operator_name", "Map"}},
             true)
        .Add(kOp, "numRecordsInPerSecond", kMeter, {100, 300}, Labels{{"operator_name", "Agg"}},
             true)
        .Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 50);
}

TEST(SkewTest, TooLittleTrafficOrOneSubtaskIsNotJudged) {
  SkewConfig config;
  SkewDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    return IntervalBuilder(i)
        .Add(kOp, "numRecordsInPerSecond", kMeter, {0, 0, 3}, Labels{{"operator_name", "Rare"}},
             true)
        .Add(kOp, "numRecordsInPerSecond", kMeter, {5000}, Labels{{"operator_name", "P1"}}, true)
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
}

TEST(SkewTest, ASubtaskSeenTwiceCountsOnce) {
  SkewConfig config;
  SkewDimension dim(&config);
  auto s = Feed(dim, 40, [](int i) {
    v1::SeriesAggregate series;
    series.set_scope(kOp);
    series.set_metric("numRecordsInPerSecond");
    series.set_count(4);
    for (auto [id, v] : {std::pair{"0", 100.0}, {"1", 100.0}, {"1", 100.0}, {"1", 100.0}}) {
      v1::InstanceValue* iv = series.add_instances();
      iv->set_instance(id);
      iv->set_value(v);
    }
    std::vector<v1::SeriesAggregate> all{series};
    return MergedInterval(testing::kT0 + i * testing::kInterval, testing::kInterval, "j", "c",
                          std::move(all));
  });
  EXPECT_DOUBLE_EQ(s.observed(), 0);
}

}  // namespace
}  // namespace vitals::scorer
