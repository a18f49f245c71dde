#include "scorer/model/scoring_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<ScoringConfig> Parse(const std::string& yaml, config::ConfigErrors* errors) {
  YAML::Node root = YAML::Load(yaml);
  config::YamlMap top(root, "", errors);
  config::YamlMap scoring = top.Child("scoring");
  return ParseScoringConfig(scoring);
}

TEST(ScoringConfigTest, DefaultsAreValid) { EXPECT_TRUE(ScoringConfig().Validate().ok()); }

TEST(ScoringConfigTest, EmptySectionGivesDefaults) {
  config::ConfigErrors errors;
  auto c = Parse("scoring: {}", &errors);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->window, absl::Minutes(5));
  EXPECT_DOUBLE_EQ(c->gc.time_share.bad, 0.15);
}

TEST(ScoringConfigTest, ReadsOverridesAndUserDefinedDimensions) {
  config::ConfigErrors errors;
  auto c = Parse(R"(
scoring:
  window: 10m
  grace: 2s
  warmup: 3m
  min_intervals: 4
  history_points: 100
  min_confidence: 0.5
  dimensions:
    latency: {weight: 3, sustain: 2m, backlog_seconds: {good: 60, bad: 600}}
    gc: {time_share: {ideal: 0.05}}
    skew: {enabled: false, min_rate: 100}
  user_defined:
    - name: sink_errors
      metric: numRecordsOutErrors
      scope: taskmanager_job_task_operator
      labels: {operator_name: "Sink: kafka"}
      aggregation: rate
      good: 0
      bad: 1
      weight: 2
      unit: errors/s
    - name: hit_ratio
      metric: cache.hitRatio
      direction: higher_is_better
      good: 0.9
      bad: 0.5
  grades: {healthy: 7.5, recover_after: 5m}
  rollback: {settle: 10m, min_drop: 2}
)",
                 &errors);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->window, absl::Minutes(10));
  EXPECT_EQ(c->grace, absl::Seconds(2));
  EXPECT_EQ(c->warmup, absl::Minutes(3));
  EXPECT_EQ(c->min_intervals, 4u);
  EXPECT_EQ(c->history_points, 100u);
  EXPECT_DOUBLE_EQ(c->latency.weight, 3);
  EXPECT_EQ(c->latency.sustain, absl::Minutes(2));
  EXPECT_DOUBLE_EQ(c->latency.backlog_seconds.good, 60);
  EXPECT_DOUBLE_EQ(c->latency.backlog_seconds.ideal, 5);  // untouched default
  EXPECT_DOUBLE_EQ(c->gc.time_share.ideal, 0.05);
  EXPECT_FALSE(c->skew.enabled);
  ASSERT_EQ(c->user_defined.size(), 2u);
  const UserDefinedConfig& errors_dim = c->user_defined[0];
  EXPECT_EQ(errors_dim.scope, v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR);
  EXPECT_EQ(errors_dim.labels.at("operator_name"), "Sink: kafka");
  EXPECT_EQ(errors_dim.aggregation, Aggregation::kRate);
  EXPECT_DOUBLE_EQ(errors_dim.band.worst, 2);  // bad + (bad − good)
  const UserDefinedConfig& ratio = c->user_defined[1];
  EXPECT_EQ(ratio.metric, "cache_hitRatio");  // canonical spelling
  EXPECT_EQ(ratio.band.direction, Direction::kHigherIsBetter);
  EXPECT_DOUBLE_EQ(ratio.band.worst, 0.1);
  EXPECT_DOUBLE_EQ(c->grades.healthy, 7.5);
  EXPECT_EQ(c->grades.recover_after, absl::Minutes(5));
  EXPECT_EQ(c->rollback.settle, absl::Minutes(10));
  EXPECT_DOUBLE_EQ(c->rollback.min_drop, 2);
}

TEST(ScoringConfigTest, MisspelledKeysAreErrorsWithTheirPath) {
  config::ConfigErrors errors;
  auto c = Parse(R"(
scoring:
  windw: 5m
  dimensions:
    gc: {time_shar: {bad: 0.2}}
    latncy: {}
  grades: {healty: 7}
)",
                 &errors);
  ASSERT_FALSE(c.ok());
  const std::string message(c.status().message());
  EXPECT_THAT(message, HasSubstr("scoring.windw: unknown key"));
  EXPECT_THAT(message, HasSubstr("scoring.dimensions.gc.time_shar: unknown key"));
  EXPECT_THAT(message, HasSubstr("scoring.dimensions.latncy: unknown key"));
  EXPECT_THAT(message, HasSubstr("scoring.grades.healty: unknown key"));
  EXPECT_EQ(errors.errors().size(), 4u);
}

TEST(ScoringConfigTest, InconsistentValuesAreErrorsWithTheirPath) {
  config::ConfigErrors errors;
  auto c = Parse(R"(
scoring:
  window: 0s
  min_confidence: 2
  dimensions:
    cpu: {load: {good: 0.95, bad: 0.9}}
    restarts: {weight: -1}
  user_defined:
    - {name: gc, metric: x, good: 0, bad: 1}
    - {name: y, good: 0, aggregation: p99, direction: up}
  grades: {healthy: 3, critical: 4}
  rollback: {critical_share: 0}
)",
                 &errors);
  ASSERT_FALSE(c.ok());
  const std::string message(c.status().message());
  EXPECT_THAT(message, HasSubstr("scoring.window: must be longer than 0"));
  EXPECT_THAT(message, HasSubstr("scoring.min_confidence: must be between 0 and 1"));
  EXPECT_THAT(message, HasSubstr("scoring.dimensions.cpu.load: thresholds must be ordered"));
  EXPECT_THAT(message, HasSubstr("scoring.dimensions.restarts.weight: must be a number >= 0"));
  EXPECT_THAT(message, HasSubstr("scoring.user_defined[0].name: 'gc' is already a dimension name"));
  EXPECT_THAT(message, HasSubstr("scoring.user_defined[1].metric: required"));
  EXPECT_THAT(message, HasSubstr("scoring.user_defined[1].bad: required"));
  EXPECT_THAT(message, HasSubstr("scoring.user_defined[1].aggregation: expected mean"));
  EXPECT_THAT(message, HasSubstr("scoring.user_defined[1].direction: expected lower_is_better"));
  EXPECT_THAT(message, HasSubstr("scoring.grades: must satisfy 0 <= critical < healthy <= 10"));
  EXPECT_THAT(message, HasSubstr("scoring.rollback.critical_share: must be in (0, 1]"));
}

TEST(ScoringConfigTest, ValidateNamesPathsToo) {
  ScoringConfig c;
  c.gc.time_share.good = 0.5;
  absl::Status s = c.Validate();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("scoring.dimensions.gc.time_share: thresholds"));
}

TEST(ScoringConfigTest, SomeDimensionMustCount) {
  ScoringConfig c;
  for (bool* enabled : {&c.latency.enabled, &c.checkpoint.enabled, &c.restarts.enabled,
                        &c.gc.enabled, &c.cpu.enabled, &c.backpressure.enabled, &c.skew.enabled}) {
    *enabled = false;
  }
  EXPECT_THAT(std::string(c.Validate().message()), HasSubstr("at least one dimension"));
}

}  // namespace
}  // namespace vitals::scorer
