#include "scorer/dimensions/windowed_dimension.h"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scorer/dimensions/figure.h"
#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::ContextAfter;
using testing::IntervalBuilder;
using testing::kInterval;
using testing::kNaN;
using testing::kT0;

TEST(FigureTest, SkipsMissingValues) {
  Figure f;
  EXPECT_TRUE(f.Add(3));
  EXPECT_FALSE(f.Add(kNaN));
  EXPECT_TRUE(f.Add(1));
  EXPECT_TRUE(f.Add(2));
  EXPECT_EQ(f.count, 3u);
  EXPECT_DOUBLE_EQ(f.sum, 6);
  EXPECT_DOUBLE_EQ(f.mean(), 2);
  EXPECT_DOUBLE_EQ(f.total(), 6);
  EXPECT_DOUBLE_EQ(f.min, 1);
  EXPECT_DOUBLE_EQ(f.max, 3);
  EXPECT_DOUBLE_EQ(f.last, 2);
}

TEST(FigureTest, WithoutValuesEverythingIsMissing) {
  Figure f;
  f.Add(kNaN);
  EXPECT_EQ(f.count, 0u);
  EXPECT_DOUBLE_EQ(f.sum, 0);
  EXPECT_TRUE(std::isnan(f.mean()));
  EXPECT_TRUE(std::isnan(f.total()));
  EXPECT_TRUE(std::isnan(f.min));
  EXPECT_TRUE(std::isnan(f.max));
  EXPECT_TRUE(std::isnan(f.last));
}

struct ProbeConfig {
  double weight = 0.7;
  bool warmup = true;
};

// Keeps the value of each observed interval (its index) and reports what
// the shared walk sees.
class ProbeDimension : public WindowedDimension<ProbeConfig, double> {
 public:
  explicit ProbeDimension(const ProbeConfig* config) : WindowedDimension("probe", config) {}
  void DeclareReads(MetricSelector&) const override {}
  void Observe(const MergedInterval& interval) override {
    Keep(interval, static_cast<double>(interval.start_ms() - kT0) / kInterval);
  }
  v1::DimensionScore Score(const EvalContext& ctx) const override {
    return NotEnoughData(ctx, "no probe");
  }
  bool waits_for_warmup() const override { return config().warmup; }

  std::vector<double> Judged(const EvalContext& ctx) const {
    std::vector<double> out;
    const uint32_t n = ForEachJudged(ctx, [&](const Entry& e) { out.push_back(e.value); });
    EXPECT_EQ(n, out.size());
    return out;
  }
  Figure All(const EvalContext& ctx) const { return FigureOf(ctx); }
  double Newest(const EvalContext& ctx) const {
    const Entry* e = NewestJudged(ctx);
    return e == nullptr ? kNaN : e->value;
  }
};

ProbeDimension Fed(const ProbeConfig* config, int n) {
  ProbeDimension dim(config);
  for (int i = 0; i < n; ++i) dim.Observe(IntervalBuilder(i).Build());
  return dim;
}

TEST(WindowedDimensionTest, NameAndWeightFromConfig) {
  ProbeConfig config;
  ProbeDimension dim(&config);
  EXPECT_EQ(dim.name(), "probe");
  config.weight = 2;
  EXPECT_DOUBLE_EQ(dim.weight(), 2);
}

TEST(WindowedDimensionTest, TrimDropsIntervalsBeforeTheWindow) {
  ProbeConfig config;
  ProbeDimension dim = Fed(&config, 5);
  dim.Trim(kT0 + 2 * kInterval);
  EXPECT_THAT(dim.Judged(ContextAfter(4)), ::testing::ElementsAre(2, 3, 4));
}

TEST(WindowedDimensionTest, SkipsWarmupIntervalsWhenItWaitsForTheWarmup) {
  ProbeConfig config;
  ProbeDimension dim = Fed(&config, 6);
  // A restart at interval 2 with a 20 s warm-up: intervals 2 and 3 are not
  // judged.
  const int64_t restarts[] = {kT0 + 2 * kInterval};
  const EvalContext ctx = ContextAfter(5, restarts, 2 * kInterval);
  EXPECT_THAT(dim.Judged(ctx), ::testing::ElementsAre(0, 1, 4, 5));
  EXPECT_EQ(dim.All(ctx).count, 4u);
  EXPECT_DOUBLE_EQ(dim.All(ctx).mean(), 2.5);
  EXPECT_DOUBLE_EQ(dim.Newest(ctx), 5);

  config.warmup = false;
  EXPECT_THAT(dim.Judged(ctx), ::testing::ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST(WindowedDimensionTest, NewestJudgedSkipsAWarmupUnderWay) {
  ProbeConfig config;
  ProbeDimension dim = Fed(&config, 6);
  const int64_t restarts[] = {kT0 + 4 * kInterval};
  const EvalContext ctx = ContextAfter(5, restarts);
  EXPECT_DOUBLE_EQ(dim.Newest(ctx), 3);
  config.warmup = false;
  EXPECT_DOUBLE_EQ(dim.Newest(ctx), 5);
  EXPECT_TRUE(std::isnan(ProbeDimension(&config).Newest(ctx)));
}

TEST(WindowedDimensionTest, NotEnoughDataSaysWhy) {
  ProbeConfig config;
  ProbeDimension dim(&config);
  v1::DimensionScore s = dim.Score(ContextAfter(5));
  EXPECT_EQ(s.dimension(), "probe");
  EXPECT_DOUBLE_EQ(s.weight(), 0.7);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
  EXPECT_EQ(s.explanation(), "no probe");

  // Restarted 20 s before the end of the data, 2 min warm-up.
  const int64_t restarts[] = {kT0 + 4 * kInterval};
  EXPECT_EQ(dim.Score(ContextAfter(5, restarts)).explanation(),
            "warming up: restarted 20 s ago, judged again from 1.7 min from now");
  // A dimension that does not wait for the warm-up is not warming up.
  config.warmup = false;
  EXPECT_EQ(dim.Score(ContextAfter(5, restarts)).explanation(), "no probe");
}

}  // namespace
}  // namespace vitals::scorer
