// The scorer's job gauges: one flink_job_state series per job whose `state`
// label follows the job, kept for a job that is not graded (it finished);
// score series only while there is a score.

#include "scorer/api/score_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "common/metrics/text_exposition.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::HealthReport Report(const std::string& state, double score) {
  v1::HealthReport r;
  r.set_job_id("abc");
  r.set_job_name("orders");
  r.set_cluster("k8s-prod");
  r.set_state(state);
  r.set_score(score);
  return r;
}

class ScoreMetricsTest : public ::testing::Test {
 protected:
  std::string Text() { return metrics::RenderText(registry_); }

  prometheus::Registry registry_;
  ScoreMetrics metrics_{registry_};
};

TEST_F(ScoreMetricsTest, OneStateSeriesPerJobFollowingTheState) {
  metrics_.Update(Report("running", 9));
  EXPECT_THAT(
      Text(),
      HasSubstr(R"(flink_job_state{cluster="k8s-prod",job_name="orders",state="running"} 1)"));
  EXPECT_THAT(
      Text(),
      HasSubstr(R"(flink_job_health_score{cluster="k8s-prod",job_id="abc",job_name="orders"} 9)"));
  metrics_.Update(Report("restarting", 6));
  EXPECT_THAT(Text(), HasSubstr(R"(state="restarting"} 1)"));
  EXPECT_THAT(Text(), Not(HasSubstr(R"(state="running")")));
}

TEST_F(ScoreMetricsTest, AnEndedJobKeepsItsStateButLosesItsScore) {
  metrics_.Update(Report("running", 9));
  metrics_.Update(Report("finished", NAN));
  EXPECT_THAT(
      Text(),
      HasSubstr(R"(flink_job_state{cluster="k8s-prod",job_name="orders",state="finished"} 1)"));
  EXPECT_THAT(Text(), Not(HasSubstr("flink_job_health_score{")));
  EXPECT_THAT(Text(), Not(HasSubstr("flink_job_rollback_recommended{")));
  metrics_.Remove(Report("finished", NAN));
  EXPECT_THAT(Text(), Not(HasSubstr("flink_job_state{")));
}

}  // namespace
}  // namespace vitals::scorer
