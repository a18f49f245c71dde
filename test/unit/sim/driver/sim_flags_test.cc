// The simulator's command-line flags (cmd/sim_flags.h), as `vitals
// simulate` and `vitals standalone --simulate-…` register them.

#include "cmd/sim_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"

namespace vitals::cmd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kNow = 1'700'000'000'000;

absl::StatusOr<sim::Fleet> Build(const std::vector<std::string>& args,
                                 const std::string& prefix = "") {
  FlagSet flags("simulate", "[flags]", "test");
  SimFlags sim;
  AddSimFlags(flags, &sim, prefix);
  if (absl::Status s = flags.Parse(args); !s.ok()) return s;
  return BuildFleet(sim, kNow);
}

TEST(SimFlagsTest, DefaultsAreFlinks) {
  auto fleet = Build({});
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  const sim::FleetSpec& spec = fleet->spec();
  // PrometheusPushGatewayReporterOptions: jobName "", randomJobNameSuffix
  // true; MetricOptions.JOB_STATUS_METRICS: CURRENT_TIME.
  EXPECT_EQ(spec.reporter.push_job_name, "");
  EXPECT_TRUE(spec.reporter.random_job_name_suffix);
  EXPECT_EQ(spec.job_status_metrics, sim::JobStatusMetricSet({sim::JobStatusMetric::kCurrentTime}));
  EXPECT_EQ(spec.session_jobs, 1);
}

TEST(SimFlagsTest, FlagsReachTheSpec) {
  auto fleet = Build({"--push-job-name", "flink", "--push-random-suffix=false",
                      "--job-status-metrics=state,total_time", "--session-jobs", "5"});
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  const sim::FleetSpec& spec = fleet->spec();
  EXPECT_EQ(spec.reporter.push_job_name, "flink");
  EXPECT_FALSE(spec.reporter.random_job_name_suffix);
  EXPECT_EQ(spec.job_status_metrics, sim::JobStatusMetricSet({sim::JobStatusMetric::kState,
                                                              sim::JobStatusMetric::kTotalTime}));
  EXPECT_EQ(spec.session_jobs, 5);
  EXPECT_EQ(fleet->flink_clusters().size(), 2u);
}

TEST(SimFlagsTest, StandaloneRegistersThemUnderItsPrefix) {
  auto fleet =
      Build({"--simulate-push-job-name={job_name}", "--simulate-session-jobs=2"}, "simulate-");
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  EXPECT_EQ(fleet->spec().reporter.push_job_name, "{job_name}");
  EXPECT_EQ(fleet->spec().session_jobs, 2);
}

TEST(SimFlagsTest, BadValuesNameTheFlag) {
  auto bad_metrics = Build({"--job-status-metrics", "state,uptime"});
  ASSERT_FALSE(bad_metrics.ok());
  EXPECT_THAT(std::string(bad_metrics.status().message()),
              StartsWith("--job-status-metrics: unknown job status metric \"uptime\""));
  auto prefixed = Build({"--simulate-job-status-metrics", "nope"}, "simulate-");
  ASSERT_FALSE(prefixed.ok());
  EXPECT_THAT(std::string(prefixed.status().message()),
              StartsWith("--simulate-job-status-metrics:"));
  auto sessions = Build({"--session-jobs", "0"});
  ASSERT_FALSE(sessions.ok());
  EXPECT_THAT(std::string(sessions.status().message()), StartsWith("--session-jobs:"));
  auto version = Build({"--flink-version", "0.9"});
  ASSERT_FALSE(version.ok());
  EXPECT_THAT(std::string(version.status().message()), StartsWith("--flink-version:"));
  auto faults = Build({"--faults", "job-000=fire"});
  ASSERT_FALSE(faults.ok());
  EXPECT_THAT(std::string(faults.status().message()), StartsWith("--faults:"));
  FlagSet flags("simulate", "[flags]", "test");
  SimFlags sim;
  AddSimFlags(flags, &sim, "");
  const absl::Status bool_value = flags.Parse({"--push-random-suffix=maybe"});
  EXPECT_THAT(std::string(bool_value.message()), HasSubstr("--push-random-suffix"));
}

TEST(SimFlagsTest, HelpExplainsTheReporterChoices) {
  FlagSet flags("simulate", "[flags]", "test");
  SimFlags sim;
  AddSimFlags(flags, &sim, "");
  const std::string usage = flags.Usage();
  EXPECT_THAT(usage, HasSubstr("--push-job-name STRING"));
  EXPECT_THAT(usage, HasSubstr("\"\" is Flink's default, a fixed name such as `flink` is what "
                               "fleet-wide flink-conf files set, `{job_name}` gives each job's own "
                               "name"));
  EXPECT_THAT(usage, HasSubstr("--push-random-suffix=false"));
  EXPECT_THAT(usage, HasSubstr("(default: current_time)"));
  EXPECT_THAT(usage, HasSubstr("--session-jobs N"));
}

}  // namespace
}  // namespace vitals::cmd
