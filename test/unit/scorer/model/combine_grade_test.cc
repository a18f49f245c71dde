#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "scorer/dimensions/band.h"
#include "scorer/model/combine.h"
#include "scorer/model/grade.h"

namespace vitals::scorer {
namespace {

Dimensions Dims(std::vector<std::pair<double, double>> score_weight) {
  Dimensions out;
  for (auto [score, weight] : score_weight) {
    v1::DimensionScore* d = out.Add();
    d->set_score(score);
    d->set_weight(weight);
    d->set_state(StateOfScore(score));
  }
  return out;
}

TEST(CombineTest, HealthyDimensionsAverage) {
  Combined c = Combine(Dims({{10, 2}, {9, 1}, {8, 1}}));
  EXPECT_DOUBLE_EQ(c.score, 9.25);
  EXPECT_DOUBLE_EQ(c.confidence, 1);
}

TEST(CombineTest, OneCriticalDimensionCapsTheJob) {
  // Failing checkpoints (2) among six perfect dimensions: the mean would be
  // 8.9, the job is a 2.
  Combined c = Combine(Dims({{2, 2}, {10, 2}, {10, 1.5}, {10, 1}, {10, 1}, {10, 0.5}, {10, 0.5}}));
  EXPECT_DOUBLE_EQ(c.score, 2);
}

TEST(CombineTest, AWarningCostsAtMostTwoPointsBelowItsScore) {
  EXPECT_DOUBLE_EQ(Combine(Dims({{5, 1}, {10, 10}})).score, 6);     // ceiling 2·5 − 4
  EXPECT_DOUBLE_EQ(Combine(Dims({{7, 1}, {10, 10}})).score, 9);     // ceiling 7 + 2
  EXPECT_NEAR(Combine(Dims({{7, 1}, {10, 1}})).score, 8.5, 1e-12);  // mean lower
}

TEST(CombineTest, CeilingIsContinuousAndMonotone) {
  double previous = Ceiling(0);
  for (double s = 0; s <= 10; s += 0.001) {
    const double c = Ceiling(s);
    EXPECT_GE(c, previous);
    EXPECT_LT(c - previous, 0.01);
    previous = c;
  }
}

TEST(CombineTest, UnknownCountsForNeitherButLowersConfidence) {
  Dimensions dims = Dims({{10, 2}, {10, 1}});
  v1::DimensionScore* unknown = dims.Add();
  unknown->set_score(std::nan(""));
  unknown->set_weight(1);
  unknown->set_state(v1::DIMENSION_STATE_UNKNOWN);
  Combined c = Combine(dims);
  EXPECT_DOUBLE_EQ(c.score, 10);
  EXPECT_DOUBLE_EQ(c.confidence, 0.75);
}

TEST(CombineTest, NothingKnownIsNoScoreAtAll) {
  Dimensions dims;
  v1::DimensionScore* unknown = dims.Add();
  unknown->set_weight(1);
  unknown->set_state(v1::DIMENSION_STATE_UNKNOWN);
  Combined c = Combine(dims);
  EXPECT_TRUE(std::isnan(c.score));
  EXPECT_DOUBLE_EQ(c.confidence, 0);
}

class GradeTest : public ::testing::Test {
 protected:
  // One evaluation every 10 s.
  Grade Next(double score, bool known = true) { return grade_.Update(score, known, t_ += 10'000); }
  GradeConfig config_;  // degrade after 30 s, recover after 2 min
  GradeTracker grade_{&config_};
  int64_t t_ = 0;
};

TEST_F(GradeTest, FirstGradeIsImmediate) {
  EXPECT_EQ(Next(9), Grade::kHealthy);
  GradeTracker other(&config_);
  EXPECT_EQ(other.Update(3, true, 0), Grade::kCritical);
}

TEST_F(GradeTest, DegradesAfterThirtySecondsRecoversAfterTwoMinutesWithMargin) {
  Next(9);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Next(6), Grade::kHealthy) << i;
  EXPECT_EQ(Next(6), Grade::kDegraded);
  // 7.2 is in the healthy band but not 0.5 inside it.
  for (int i = 0; i < 30; ++i) EXPECT_EQ(Next(7.2), Grade::kDegraded);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(Next(7.6), Grade::kDegraded) << i;
  EXPECT_EQ(Next(7.6), Grade::kHealthy);
}

TEST_F(GradeTest, ADipResetsTheRecovery) {
  Next(5);
  for (int i = 0; i < 10; ++i) Next(9);
  Next(6);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(Next(9), Grade::kDegraded) << i;
  EXPECT_EQ(Next(9), Grade::kHealthy);
}

TEST_F(GradeTest, CriticalAtTheBoundary) {
  Next(9);
  for (int i = 0; i < 4; ++i) Next(4);
  EXPECT_EQ(grade_.current(), Grade::kCritical);
}

TEST_F(GradeTest, ScoreHoveringAtABoundaryDoesNotFlap) {
  Next(8);
  int changes = 0;
  Grade previous = grade_.current();
  for (int i = 0; i < 100; ++i) {
    const Grade g = Next(i % 3 ? 7.3 : 6.8);
    changes += g != previous;
    previous = g;
  }
  EXPECT_EQ(changes, 0);
}

TEST_F(GradeTest, NeverHealthyInTheCriticalBandNorTheReverse) {
  // Hysteresis smooths neighbouring grades only: 0.0 is critical at once.
  EXPECT_EQ(Next(9), Grade::kHealthy);
  EXPECT_EQ(Next(0), Grade::kCritical);
  EXPECT_EQ(Next(9.5), Grade::kHealthy);
  // Between neighbours the hold still applies.
  EXPECT_EQ(Next(5), Grade::kHealthy);
  EXPECT_EQ(Next(2), Grade::kCritical);
  EXPECT_EQ(Next(5), Grade::kCritical);
}

TEST_F(GradeTest, GradeNeverContradictsTheScoreBand) {
  // Whatever the sequence, a critical-band score is never healthy and a
  // healthy-band score never critical.
  uint64_t x = 42;
  for (int i = 0; i < 5'000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double score = static_cast<double>(x >> 33) / static_cast<double>(1ULL << 31) * 10;
    const Grade g = Next(score);
    if (score <= config_.critical) {
      EXPECT_NE(g, Grade::kHealthy) << i << ": " << score;
    }
    if (score >= config_.healthy) {
      EXPECT_NE(g, Grade::kCritical) << i << ": " << score;
    }
  }
}

TEST_F(GradeTest, ResetForgetsTheGrade) {
  Next(2);
  EXPECT_EQ(grade_.Reset(), Grade::kUnknown);
  EXPECT_EQ(Next(9), Grade::kHealthy);
}

TEST_F(GradeTest, UnknownWhenNotTrustworthy) {
  Next(9);
  for (int i = 0; i < 4; ++i) Next(9, false);
  EXPECT_EQ(grade_.current(), Grade::kUnknown);
  EXPECT_EQ(GradeName(grade_.current()), "unknown");
  EXPECT_EQ(Next(9), Grade::kHealthy);
}

}  // namespace
}  // namespace vitals::scorer
