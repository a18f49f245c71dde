#include "scorer/model/rollback.h"

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vitals::scorer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kAt = 1'700'000'000'000;  // the migration
constexpr int64_t kStep = 10'000;

v1::Migration Move() {
  v1::Migration m;
  m.set_from("yarn-prod-1");
  m.set_to("k8s-prod-eu");
  m.set_at(kAt);
  return m;
}

struct Point {
  double score;
  double latency = 10;
  double checkpoint = 10;
  // A warm-up stood in for dimensions, or too little data.
  bool unjudged = false;
};

// An hour before the migration on Yarn at `before`, then `after_points`
// evaluations on Kubernetes starting at the migration.
class History {
 public:
  History& Before(int n, Point p) {
    for (int i = n; i > 0; --i) Add(kAt - i * kStep, "yarn-prod-1", "yarn-job", p);
    return *this;
  }
  History& After(int n, std::function<Point(int)> p) {
    for (int i = 0; i < n; ++i) Add(kAt + i * kStep, "k8s-prod-eu", "k8s-job", p(i));
    return *this;
  }
  const std::deque<v1::HistoryPoint>& points() const { return points_; }
  int64_t now() const { return points_.empty() ? kAt : points_.back().at_ms(); }

 private:
  void Add(int64_t at, const char* cluster, const char* job_id, Point p) {
    v1::HistoryPoint& h = points_.emplace_back();
    h.set_at_ms(at);
    h.set_cluster(cluster);
    h.set_job_id(job_id);
    h.set_score(p.score);
    (*h.mutable_dimensions())["latency"] = p.latency;
    (*h.mutable_dimensions())["checkpoint"] = p.checkpoint;
    h.set_unjudged(p.unjudged);
  }
  std::deque<v1::HistoryPoint> points_;
};

v1::RollbackVerdict Decide(const History& h) {
  return DecideRollback(h.points(), Move(), ScoringConfig(), h.now());
}

TEST(RollbackTest, SimilarScoresKeep) {
  History h;
  h.Before(360, {8.6}).After(120, [](int i) { return Point{i % 2 ? 8.3 : 8.5}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "keep");
  EXPECT_NEAR(v.baseline_score(), 8.6, 1e-9);
  EXPECT_NEAR(v.current_score(), 8.4, 1e-9);
  EXPECT_EQ(v.baseline_intervals(), 360u);
  EXPECT_EQ(v.current_intervals(), 90u);  // the first 5 min after the move settle
  EXPECT_THAT(v.degraded_dimensions(), IsEmpty());
  EXPECT_EQ(v.job_id(), "k8s-job");
  EXPECT_EQ(v.migration().to(), "k8s-prod-eu");
  EXPECT_THAT(v.reasons(0), HasSubstr("median score 8.6 on yarn-prod-1 -> 8.4 on k8s-prod-eu"));
}

TEST(RollbackTest, SustainedDropRollsBackAndNamesTheDimension) {
  History h;
  h.Before(360, {8.8}).After(120, [](int) { return Point{5.5, 3.5, 10}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "rollback");
  EXPECT_NEAR(v.baseline_score(), 8.8, 1e-9);
  EXPECT_NEAR(v.current_score(), 5.5, 1e-9);
  EXPECT_THAT(v.degraded_dimensions(), ElementsAre("latency"));
  EXPECT_THAT(v.reasons(0), HasSubstr("8.8 on yarn-prod-1 -> 5.5 on k8s-prod-eu"));
}

TEST(RollbackTest, NeverOnOneBadInterval) {
  History h;
  h.Before(360, {8.8}).After(120, [](int i) { return i == 100 ? Point{0.5, 0, 0} : Point{8.7}; });
  EXPECT_EQ(Decide(h).verdict(), "keep");
}

TEST(RollbackTest, NorOnAShortDip) {
  History h;
  // A third of the evaluations after the move are bad.
  h.Before(360, {8.8}).After(120, [](int i) { return i % 3 == 0 ? Point{3, 2, 10} : Point{8.7}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "keep");
}

TEST(RollbackTest, ADimensionTurnedCriticalRollsBackEvenWhenTheScoreHolds) {
  History h;
  // The job score dropped by 1 only (a weighted mean of many fine
  // dimensions), but checkpoints fail after the move nearly all the time.
  h.Before(360, {8.5}).After(120, [](int i) { return Point{7.5, 10, i % 10 ? 3.0 : 6.0}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "rollback");
  EXPECT_THAT(v.degraded_dimensions(), ElementsAre("checkpoint"));
  EXPECT_THAT(v.reasons(0), HasSubstr("a dimension turned critical"));
}

TEST(RollbackTest, AlreadyCriticalBeforeIsNotTheMigrationsFault) {
  History h;
  h.Before(360, {4, 10, 3}).After(120, [](int) { return Point{4, 10, 3}; });
  EXPECT_EQ(Decide(h).verdict(), "keep");
}

TEST(RollbackTest, TooFewEvaluationsAfterTheMoveIsInsufficientData) {
  History h;
  // 6 min after the move: 5 of them settle, one minute is judged.
  h.Before(360, {8.8}).After(36, [](int) { return Point{2}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "insufficient_data");
  EXPECT_EQ(v.current_intervals(), 6u);
  ASSERT_EQ(v.reasons_size(), 1);
  EXPECT_THAT(v.reasons(0), HasSubstr("only 6 of 18 evaluations needed on k8s-prod-eu"));
}

TEST(RollbackTest, EvaluationsThatJudgedNothingDoNotCount) {
  History h;
  // The job backpressures on the new cluster, but its dimensions are still
  // warming up after the move: the grades from before stand in, and look
  // healthy. None of those evaluations may count as "healthy after".
  h.Before(360, {8.8}).After(115, [](int i) {
    return i < 100 ? Point{8.8, 10, 10, /*unjudged=*/true} : Point{3, 10, 2};
  });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "insufficient_data");
  EXPECT_EQ(v.current_intervals(), 15u);  // judged points only
  ASSERT_EQ(v.reasons_size(), 1);
  EXPECT_THAT(v.reasons(0), HasSubstr("evaluations not counted: warming up or too little data"));

  // Once enough evaluations judged the new side, they decide.
  History judged;
  judged.Before(360, {8.8}).After(160, [](int i) {
    return i < 100 ? Point{8.8, 10, 10, /*unjudged=*/true} : Point{3, 10, 2};
  });
  v1::RollbackVerdict later = Decide(judged);
  EXPECT_EQ(later.verdict(), "rollback");
  EXPECT_THAT(later.degraded_dimensions(), ElementsAre("checkpoint"));
}

TEST(RollbackTest, UnjudgedBaselineDoesNotCountEither) {
  History h;
  h.Before(360, {8.8, 10, 10, /*unjudged=*/true}).After(120, [](int) { return Point{8.8}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "insufficient_data");
  EXPECT_EQ(v.baseline_intervals(), 0u);
}

TEST(RollbackTest, NoMigrationRecordedIsInsufficientDataAndTheNewestOneCounts) {
  History h;
  h.Before(360, {8.8}).After(120, [](int) { return Point{2}; });
  v1::RollbackVerdict none =
      DecideRollback(h.points(), std::span<const v1::Migration>(), ScoringConfig(), h.now());
  EXPECT_EQ(none.verdict(), "insufficient_data");
  EXPECT_THAT(none.reasons(), ElementsAre("no migration recorded for this job"));

  v1::Migration older = Move();
  older.set_at(kAt - 7'200'000);
  older.set_to("yarn-prod-1");
  const std::vector<v1::Migration> migrations = {older, Move()};
  EXPECT_EQ(DecideRollback(h.points(), migrations, ScoringConfig(), h.now()).verdict(), "rollback");
}

TEST(RollbackTest, NoBaselineIsInsufficientData) {
  History h;
  h.After(120, [](int) { return Point{2}; });
  v1::RollbackVerdict v = Decide(h);
  EXPECT_EQ(v.verdict(), "insufficient_data");
  EXPECT_THAT(v.reasons(0), HasSubstr("only 0 of 18 evaluations needed on yarn-prod-1"));
}

TEST(RollbackTest, BaselineIsOnlyTheHourBeforeOnTheOldCluster) {
  History h;
  // Two hours ago the job was bad on Yarn; in the last hour it was fine.
  h.Before(720, {8.8});
  std::deque<v1::HistoryPoint> points = h.points();
  for (size_t i = 0; i < 360; ++i) points[i].set_score(1);
  History after;
  after.After(120, [](int) { return Point{8.6}; });
  for (const auto& p : after.points()) points.push_back(p);
  v1::RollbackVerdict v = DecideRollback(points, Move(), ScoringConfig(), after.now());
  EXPECT_EQ(v.baseline_intervals(), 360u);
  EXPECT_NEAR(v.baseline_score(), 8.8, 1e-9);
  EXPECT_EQ(v.verdict(), "keep");
}

}  // namespace
}  // namespace vitals::scorer
