#include "scorer/dimensions/checkpoint.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::Feed;
using ::testing::HasSubstr;
using testing::IntervalBuilder;

constexpr auto kCounter = v1::METRIC_KIND_COUNTER;
constexpr auto kGauge = v1::METRIC_KIND_GAUGE;

// Checkpoints every `every` intervals; `failed(i)` says whether that one failed.
template <typename Failed>
MergedInterval Checkpoints(int i, int every, Failed failed, double duration_ms = 1500) {
  const bool attempt = every > 0 && i % every == 0;
  const bool fail = attempt && failed(i);
  return IntervalBuilder(i)
      .Job("numberOfCompletedCheckpoints", kCounter, attempt && !fail ? 1 : 0)
      .Job("numberOfFailedCheckpoints", kCounter, fail ? 1 : 0)
      .Job("lastCheckpointDuration", kGauge, duration_ms)
      .Build();
}

class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointConfig config_;
  CheckpointDimension dim_{&config_};
};

TEST_F(CheckpointTest, RegularSuccessesAreHealthy) {
  auto s = Feed(dim_, 60, [](int i) { return Checkpoints(i, 3, [](int) { return false; }); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK);
  EXPECT_GE(s.score(), 9);
  EXPECT_NEAR(dim_.cadence_ms(), 30'000, 1);
  EXPECT_THAT(s.explanation(), HasSubstr("checkpoints healthy: 10 completed in 5 min"));
}

TEST_F(CheckpointTest, SevenOfTenFailedIsCritical) {
  auto s = Feed(dim_, 60, [](int i) {
    // Of the 10 attempts in the window (intervals 30..57 step 3) 7 fail.
    return Checkpoints(i, 3, [](int i) { return i >= 30 && (i / 3) % 10 < 7; });
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.observed(), 0.7);
  EXPECT_LE(s.score(), 4);
  EXPECT_THAT(s.explanation(), HasSubstr("checkpoints failing: 7 of 10 failed in 5 min"));
  EXPECT_THAT(s.explanation(), HasSubstr("last success"));
}

TEST_F(CheckpointTest, NoSuccessForSixMinutesIsStalled) {
  // Healthy for 10 min, then no attempt at all (a stuck checkpoint).
  auto s = Feed(dim_, 94,
                [](int i) { return Checkpoints(i, i < 60 ? 3 : 0, [](int) { return false; }); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("checkpoints stalled"));
  EXPECT_THAT(s.explanation(), HasSubstr("last success 6 min ago"));
}

TEST_F(CheckpointTest, LongCadenceIsNotCalledStale) {
  // Every 10 min: a 5-min window often holds no attempt at all.
  auto s = Feed(dim_, 175, [](int i) { return Checkpoints(i, 60, [](int) { return false; }); });
  EXPECT_NEAR(dim_.cadence_ms(), 600'000, 1);
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_OK) << s.explanation();
}

TEST_F(CheckpointTest, DurationAsLongAsTheCadenceIsCritical) {
  auto s = Feed(dim_, 60, [](int i) {
    return Checkpoints(
        i, 3, [](int) { return false; }, 30'000);
  });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_THAT(s.explanation(), HasSubstr("checkpoints slow"));
}

TEST_F(CheckpointTest, CheckpointingDisabledIsUnknownNotHealthy) {
  auto s = Feed(dim_, 60, [](int i) { return Checkpoints(i, 0, [](int) { return false; }); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_UNKNOWN);
  EXPECT_THAT(s.explanation(), HasSubstr("checkpointing disabled"));
}

TEST_F(CheckpointTest, OnlyFailuresSinceFirstSeenAreCritical) {
  auto s = Feed(dim_, 40, [](int i) { return Checkpoints(i, 3, [](int) { return true; }); });
  EXPECT_EQ(s.state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(s.score(), 0);
  EXPECT_THAT(s.explanation(), HasSubstr("none completed"));
}

}  // namespace
}  // namespace vitals::scorer
