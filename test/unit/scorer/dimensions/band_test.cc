#include "scorer/dimensions/band.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace vitals::scorer {
namespace {

TEST(BandTest, AnchorsMapToTenEightFourZero) {
  const Band b{0.08, 0.10, 0.15, 0.20};
  EXPECT_DOUBLE_EQ(b.Score(0.0), 10);
  EXPECT_DOUBLE_EQ(b.Score(0.08), 10);
  EXPECT_DOUBLE_EQ(b.Score(0.09), 9);
  EXPECT_DOUBLE_EQ(b.Score(0.10), 8);
  EXPECT_NEAR(b.Score(0.125), 6, 1e-9);
  EXPECT_DOUBLE_EQ(b.Score(0.15), 4);
  EXPECT_NEAR(b.Score(0.175), 2, 1e-9);
  EXPECT_DOUBLE_EQ(b.Score(0.20), 0);
  EXPECT_DOUBLE_EQ(b.Score(5), 0);
  EXPECT_DOUBLE_EQ(b.Score(std::numeric_limits<double>::infinity()), 0);
  EXPECT_TRUE(std::isnan(b.Score(std::numeric_limits<double>::quiet_NaN())));
}

TEST(BandTest, HigherIsBetterMirrors) {
  const Band b{0.99, 0.95, 0.8, 0.5, Direction::kHigherIsBetter};
  EXPECT_DOUBLE_EQ(b.Score(1.0), 10);
  EXPECT_DOUBLE_EQ(b.Score(0.95), 8);
  EXPECT_DOUBLE_EQ(b.Score(0.8), 4);
  EXPECT_DOUBLE_EQ(b.Score(0.1), 0);
  EXPECT_TRUE(b.Check().empty());
}

TEST(BandTest, ScoreNeverRisesAsTheValueWorsens) {
  const Band bands[] = {{0, 1, 5, 15}, {0.2, 0.5, 1, 2}, {1, 1, 3, 3}};
  for (const Band& b : bands) {
    double previous = 10;
    for (double v = -1; v < 20; v += 0.01) {
      const double s = b.Score(v);
      EXPECT_LE(s, previous) << v;
      previous = s;
    }
  }
}

TEST(BandTest, StateFollowsTheScore) {
  const Band b{0, 1, 5, 15};
  EXPECT_EQ(StateOfScore(b.Score(1)), v1::DIMENSION_STATE_OK);
  EXPECT_EQ(StateOfScore(b.Score(2)), v1::DIMENSION_STATE_WARN);
  EXPECT_EQ(StateOfScore(b.Score(5)), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_EQ(StateOfScore(std::numeric_limits<double>::quiet_NaN()), v1::DIMENSION_STATE_UNKNOWN);
}

TEST(BandTest, CheckRejectsDisorderedAnchors) {
  EXPECT_FALSE(Band({0, 5, 1, 15}).Check().empty());
  EXPECT_FALSE(Band({0, 1, 1, 15}).Check().empty());  // good must differ from bad
  EXPECT_FALSE(Band({0, 1, 5, 15, Direction::kHigherIsBetter}).Check().empty());
  EXPECT_FALSE(Band({0, 1, std::numeric_limits<double>::quiet_NaN(), 15}).Check().empty());
  EXPECT_TRUE(Band({1, 1, 5, 5}).Check().empty());
}

}  // namespace
}  // namespace vitals::scorer
