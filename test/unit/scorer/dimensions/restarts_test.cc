#include "scorer/dimensions/restarts.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::Feed;
using ::testing::HasSubstr;
using testing::IntervalBuilder;
using testing::kInterval;

constexpr auto kCounter = v1::METRIC_KIND_COUNTER;
constexpr auto kGauge = v1::METRIC_KIND_GAUGE;

// The restarts dimension as the job scorer runs it: the job's lifecycle
// observes each interval first.
class RestartsWithLifecycle : public Dimension {
 public:
  std::string_view name() const override { return dim_.name(); }
  double weight() const override { return dim_.weight(); }
  void DeclareReads(MetricSelector& reads) const override {
    JobLifecycleTracker::DeclareReads(reads);
    dim_.DeclareReads(reads);
  }
  void Observe(const MergedInterval& interval) override {
    lifecycle_.Observe(interval);
    dim_.Observe(interval);
  }
  void Trim(int64_t window_start_ms) override { dim_.Trim(window_start_ms); }
  v1::DimensionScore Score(const EvalContext& ctx) const override { return dim_.Score(ctx); }

 private:
  RestartsConfig config_;
  JobLifecycleTracker lifecycle_;
  RestartsDimension dim_{&config_, &lifecycle_};
};

class RestartsTest : public ::testing::Test {
 protected:
  RestartsWithLifecycle dim_;
};

TEST_F(RestartsTest, StableRunningJobIsPerfect) {
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Job("numRestarts", kCounter, 0)
        .JobStatusTimes("running", 3.6e6 + i * kInterval)
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
  EXPECT_DOUBLE_EQ(s.score(), 10);
  EXPECT_EQ(s.unit(), "restarts/5m");
  EXPECT_THAT(s.explanation(), HasSubstr("no restarts in 5 min"));
}

TEST_F(RestartsTest, RestartsOutsideTheWindowAreForgotten) {
  auto s = Feed(dim_, 60, [](int i) {
    return IntervalBuilder(i).Job("numRestarts", kCounter, i < 25 ? 1 : 0).Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 0);
}

TEST_F(RestartsTest, OneFailoverPerMinuteIsCritical) {
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Job("numRestarts", kCounter, i % 6 == 0 ? 1 : 0)
        .JobStatusTimes("running", 3.6e6 + i * kInterval)
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.observed(), 5);
  EXPECT_LE(s.score(), 4);
  EXPECT_THAT(s.explanation(), HasSubstr("5 restarts in 5 min"));
}

TEST_F(RestartsTest, NotRunningIsCriticalEvenWithoutRestarts) {
  // Stuck in RESTARTING (restartingTime growing, runningTime 0).
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Job("numRestarts", kCounter, 0)
        .JobStatusTimes("restarting", 5'000 + i * kInterval)
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.score(), 0);
  EXPECT_THAT(s.explanation(), HasSubstr("NOT running now"));
}

TEST_F(RestartsTest, StateGaugesWhenEnabled) {
  // metrics.job.status.enable: STATE gives `<status>State`, 1 while current.
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Job("numRestarts", kCounter, 0)
        .Job("runningState", kGauge, 0)
        .Job("restartingState", kGauge, 1)
        .Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("NOT running now"));
}

TEST_F(RestartsTest, FinishedOrCanceledTimeIsNotHeldAgainstTheJob) {
  // Running, then canceled by its owner: cancellingTime, then every gauge
  // at 0 (CANCELED has none).
  auto s = Feed(dim_, 40, [](int i) {
    IntervalBuilder b(i);
    b.Job("numRestarts", kCounter, 0);
    if (i < 30) return b.JobStatusTimes("running", 3.6e6 + i * kInterval).Build();
    if (i < 32) return b.JobStatusTimes("cancelling", 2'000 + (i - 30) * kInterval).Build();
    return b.JobStatusTimes("", 0).Build();
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK) << s.explanation();
}

TEST_F(RestartsTest, LegacyFullRestartsAndUptime) {
  // Flink <= 1.9 names, and an uptime of 0 while restarting.
  auto s = Feed(dim_, 40, [](int i) {
    return IntervalBuilder(i)
        .Job("fullRestarts", kCounter, i % 10 == 0 ? 1 : 0)
        .Job("uptime", kGauge, i % 10 == 0 ? 0 : 60'000)
        .Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 3);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_WARN);
}

TEST_F(RestartsTest, CumulativeGaugeIsDifferenced) {
  // A gateway that did not know numRestarts is a counter forwards the
  // cumulative value; a restart of the JobManager resets it.
  auto s = Feed(dim_, 40, [](int i) {
    const double cumulative = i < 30 ? 100 : 2 + (i - 30) / 5;
    return IntervalBuilder(i).Job("numRestarts", kGauge, cumulative).Build();
  });
  EXPECT_DOUBLE_EQ(s.observed(), 3);  // reset to 2 counts as 2, then one more
}

TEST_F(RestartsTest, TooFewIntervalsAreUnknown) {
  auto s = Feed(dim_, 2,
                [](int i) { return IntervalBuilder(i).Job("numRestarts", kCounter, 0).Build(); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
  EXPECT_THAT(s.explanation(), HasSubstr("not enough data"));
}

TEST_F(RestartsTest, NoJobMetricsAreUnknown) {
  auto s = Feed(dim_, 40, [](int i) { return IntervalBuilder(i).Build(); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
}

}  // namespace
}  // namespace vitals::scorer
