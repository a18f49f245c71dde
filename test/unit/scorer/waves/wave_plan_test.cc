#include "scorer/waves/wave_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vitals::scorer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kYarn[] = "yarn-prod-1";

struct Shape {
  uint32_t operators = 0;
  uint32_t parallelism = 0;
  int64_t state_bytes = -1;  // -1: no completed checkpoint
};

v1::HealthReport Job(const std::string& name, Shape shape, const std::string& priority = "",
                     const std::string& queue = "q1") {
  v1::HealthReport r;
  r.set_job_name(name);
  r.set_cluster(kYarn);
  r.set_state("running");
  r.set_grade("healthy");
  r.set_score(9);
  v1::JobTopology* t = r.mutable_topology();
  t->set_operators(shape.operators);
  t->set_tasks(shape.operators > 0 ? 1 : 0);
  t->set_max_parallelism(shape.parallelism);
  t->set_subtasks(shape.parallelism);
  if (shape.state_bytes >= 0) t->set_checkpointed_bytes(shape.state_bytes);
  if (!priority.empty()) (*r.mutable_job_labels())["priority"] = priority;
  (*r.mutable_job_labels())["queue"] = queue;
  return r;
}

std::vector<std::string> Names(const google::protobuf::RepeatedPtrField<v1::WavePlanJob>& jobs) {
  std::vector<std::string> out;
  for (const v1::WavePlanJob& j : jobs) out.push_back(j.job_name());
  return out;
}

WavePlanQuery Yarn() {
  WavePlanQuery q;
  q.selector.set_cluster(kYarn);
  return q;
}

TEST(WavePlanTest, LeastCriticalFirstThenFewestOperatorsNarrowestLeastState) {
  const std::vector<v1::HealthReport> reports = {
      Job("big_state", {3, 4, 50'000'000}),
      Job("small_state", {3, 4, 1'000}),
      Job("wide", {3, 16, 1'000}),
      Job("many_ops", {9, 2, 1'000}),
      Job("stateless", {3, 4}),      // no checkpoint: after those with one
      Job("unknown_shape", {0, 0}),  // no task metrics yet: last of its rank
      Job("important", {1, 1, 10}, "5"),
      Job("unimportant", {20, 64, 1'000'000'000}, "-3"),
  };
  const v1::WavePlan plan = PlanWaves(reports, Yarn());
  EXPECT_EQ(plan.criticality_label(), "priority");
  EXPECT_THAT(Names(plan.jobs()),
              ElementsAre("unimportant", "small_state", "big_state", "stateless", "wide",
                          "many_ops", "unknown_shape", "important"));
  EXPECT_EQ(plan.jobs(1).criticality(), -1);  // Flink's yarn.application.priority default
  EXPECT_THAT(plan.jobs(1).reasons(0), HasSubstr("no priority label"));
  EXPECT_THAT(plan.jobs(1).reasons(0), HasSubstr("3 operators in 1 tasks, parallelism up to 4"));
  EXPECT_THAT(plan.jobs(2).reasons(0), HasSubstr("47.7 MiB checkpointed"));
  EXPECT_THAT(plan.jobs(3).reasons(0), HasSubstr("no completed checkpoint"));
  EXPECT_EQ(plan.jobs(7).criticality(), 5);
  EXPECT_TRUE(plan.held_back().empty());
}

TEST(WavePlanTest, OnlyTheClusterAndLabelsAskedFor) {
  std::vector<v1::HealthReport> reports = {Job("a", {1, 1}), Job("b", {1, 1}, "", "q2"),
                                           Job("c", {1, 1})};
  reports[2].set_cluster("k8s-prod-eu");
  WavePlanQuery q = Yarn();
  (*q.selector.mutable_labels())["queue"] = "q1";
  EXPECT_THAT(Names(PlanWaves(reports, q).jobs()), ElementsAre("a"));
  q.selector.mutable_labels()->clear();
  EXPECT_THAT(Names(PlanWaves(reports, q).jobs()), ElementsAre("a", "b"));
  q.selector.set_prefix("b");
  EXPECT_THAT(Names(PlanWaves(reports, q).jobs()), ElementsAre("b"));
}

TEST(WavePlanTest, SickNotRunningAndUnplaceableJobsAreHeldBackWithTheReason) {
  std::vector<v1::HealthReport> reports = {Job("ok", {1, 1}), Job("sick", {1, 1}),
                                           Job("restarting", {1, 1}), Job("new", {1, 1}),
                                           Job("odd", {1, 1}, "high")};
  reports[1].set_grade("critical");
  reports[2].set_state("restarting");
  reports[3].set_grade("unknown");
  const v1::WavePlan plan = PlanWaves(reports, Yarn());
  EXPECT_THAT(Names(plan.jobs()), ElementsAre("ok"));
  ASSERT_THAT(Names(plan.held_back()), ElementsAre("new", "odd", "restarting", "sick"));
  EXPECT_THAT(plan.held_back(0).reasons(0), HasSubstr("graded unknown before the move"));
  EXPECT_THAT(plan.held_back(1).reasons(0), HasSubstr("priority=high is not a number"));
  EXPECT_THAT(plan.held_back(2).reasons(0), HasSubstr("not running (restarting)"));
  EXPECT_THAT(plan.held_back(3).reasons(0), HasSubstr("no healthy baseline"));
}

TEST(WavePlanTest, CutIntoWavesOfTheSizeAsked) {
  std::vector<v1::HealthReport> reports;
  for (uint32_t i = 1; i <= 5; ++i) reports.push_back(Job("j" + std::to_string(i), {i, 1}));
  WavePlanQuery q = Yarn();
  q.wave_size = 2;
  const v1::WavePlan plan = PlanWaves(reports, q);
  std::vector<uint32_t> waves;
  for (const v1::WavePlanJob& j : plan.jobs()) waves.push_back(j.wave());
  EXPECT_THAT(waves, ElementsAre(1, 1, 2, 2, 3));
  EXPECT_EQ(PlanWaves(reports, Yarn()).jobs(0).wave(), 0u);
}

TEST(WavePlanTest, ATenantQualifiedJobIsNamedByItsKey) {
  std::vector<v1::HealthReport> reports = {Job("etl", {1, 1})};
  reports[0].set_tenant("acme");
  const v1::WavePlan plan = PlanWaves(reports, Yarn());
  ASSERT_EQ(plan.jobs_size(), 1);
  EXPECT_NE(plan.jobs(0).job_name(), "etl");
  EXPECT_THAT(plan.jobs(0).job_name(), HasSubstr("etl"));
  EXPECT_THAT(plan.jobs(0).job_name(), HasSubstr("acme"));
}

}  // namespace
}  // namespace vitals::scorer
