// The acceptance scenarios on simulated time, through the gateway's real
// Pushgateway receiver (its request handling and the replay at each
// interval boundary), process attribution and aggregator, and the scorer's
// job registry with the default model. The simulator reports as Flink's
// PrometheusPushGatewayReporter does with the settings users run:
// Flink's defaults (PrometheusPushGatewayReporterOptions: jobName "",
// randomJobNameSuffix true) and a fleet-wide fixed jobName, `flink`.
// Prints the table docs/scoring.md quotes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "scorer/job_registry.h"
#include "scorer/model/scoring_config.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"
#include "test/integration/support/sim_gateway.h"

namespace vitals {
namespace {

using ::testing::HasSubstr;
// Job names as the gateway reports them (`job-003` is `job_003`).
using ::vitals::testing::RenderReport;
using ::vitals::testing::ReportedJobName;

constexpr int64_t kInterval = 10'000;
constexpr int64_t kT0 = 1'800'000'000'000;

bool IsHex32(std::string_view s) {
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The gateway and scorer of one node, on the test's clock.
class Pipeline {
 public:
  explicit Pipeline(scorer::ScoringConfig scoring)
      : scoring_(std::move(scoring)), gateway_(kInterval), jobs_(&scoring_) {}

  void Push(const std::vector<sim::Push>& pushes, int64_t now_ms) {
    for (const sim::Push& push : pushes) {
      const absl::Status status = gateway_.Push(push, now_ms);
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  // Closes the interval ending at `boundary` as the gateway does, hands the
  // batches to the scorer and evaluates after the grace period. Returns the
  // new reports by job name.
  std::map<std::string, v1::HealthReport> Close(int64_t boundary) {
    for (v1::MetricBatch& batch : gateway_.Close(boundary)) {
      const std::string key = batch.job_name();
      batch_jobs_.insert(key);
      jobs_.Add(key, batch, 0, boundary);
    }
    std::map<std::string, v1::HealthReport> out;
    const int64_t now = boundary + absl::ToInt64Milliseconds(scoring_.grace);
    for (v1::HealthReport& r : jobs_.EvaluateAll(now)) {
      report_jobs_.insert(r.job_name());
      out[r.job_name()] = std::move(r);
    }
    return out;
  }

  scorer::JobRegistry& jobs() { return jobs_; }
  const gateway::ProcessJobTable& processes() const { return gateway_.processes(); }
  // Every job name that reached a batch or a report.
  const std::set<std::string>& batch_jobs() const { return batch_jobs_; }
  const std::set<std::string>& report_jobs() const { return report_jobs_; }

 private:
  scorer::ScoringConfig scoring_;
  testing::SimGateway gateway_;
  scorer::JobRegistry jobs_;
  std::set<std::string> batch_jobs_;
  std::set<std::string> report_jobs_;
};

// `jobs` jobs on one node and cluster, running for 15 minutes when the
// test starts (no start-up warm-up), reporting with Flink's defaults.
sim::FleetSpec RunningFleet(int jobs, std::string cluster) {
  sim::FleetSpec spec;
  spec.jobs = jobs;
  spec.nodes = 1;
  spec.clusters = {std::move(cluster)};
  spec.start_ms = kT0 - 15 * 60'000;
  return spec;
}

const v1::DimensionScore* Dim(const v1::HealthReport& r, std::string_view name) {
  for (const v1::DimensionScore& d : r.dimensions()) {
    if (d.dimension() == name) return &d;
  }
  return nullptr;
}

const v1::DimensionScore* Worst(const v1::HealthReport& report) {
  const v1::DimensionScore* worst = nullptr;
  for (const auto& d : report.dimensions()) {
    if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
    if (worst == nullptr || d.score() < worst->score()) worst = &d;
  }
  return worst;
}

struct Scenario {
  std::string label;
  std::vector<sim::FaultKind> faults;
  std::string dimension;  // the injected dimension ("" for healthy)
  double max_score = 4;   // faulted jobs score at most this
};

std::vector<Scenario> Scenarios() {
  return {
      {"healthy", {}, ""},
      {"backpressure", {sim::FaultKind::kBackpressure}, "backpressure"},
      {"checkpoint_failure", {sim::FaultKind::kCheckpointFailure}, "checkpoint"},
      {"restarts", {sim::FaultKind::kRestarts}, "restarts"},
      {"gc_pressure", {sim::FaultKind::kGcPressure}, "gc"},
      // CPU weighs 0.5 and is never critical on its own (docs/scoring.md).
      {"cpu_saturation", {sim::FaultKind::kCpuSaturation}, "cpu", 7},
      {"source_lag", {sim::FaultKind::kSourceLag}, "latency"},
      {"skew", {sim::FaultKind::kSkew}, "skew"},
      {"checkpoint+backpressure",
       {sim::FaultKind::kCheckpointFailure, sim::FaultKind::kBackpressure},
       "checkpoint|backpressure"},
  };
}

// The reporter's `jobName` as fleets set it.
struct JobNameSetting {
  std::string name;
  std::string push_job_name;
};

using Param = std::tuple<sim::FlinkVersion, JobNameSetting>;

class ScenarioTest : public ::testing::TestWithParam<Param> {};

TEST_P(ScenarioTest, EachFaultIsFoundOnItsDimensionAndNoReporterNameBecomesAJob) {
  const auto& [version, job_name] = GetParam();
  const std::vector<Scenario> scenarios = Scenarios();

  // Application clusters, one per job, one fault each.
  sim::FleetSpec spec = RunningFleet(static_cast<int>(scenarios.size()), "k8s-test");
  spec.version = version;
  spec.reporter.push_job_name = job_name.push_job_name;
  auto fleet = sim::Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  for (size_t j = 0; j < scenarios.size(); ++j) {
    for (sim::FaultKind f : scenarios[j].faults) {
      ASSERT_TRUE(fleet->SetFault(static_cast<int>(j), f, true).ok());
    }
  }
  // A session cluster of 3 healthy jobs on shared TaskManagers.
  sim::FleetSpec session_spec = spec;
  session_spec.jobs = 3;
  session_spec.session_jobs = 3;
  session_spec.job_name_prefix = "session-";
  // Its own random ids: AbstractIDs of two Flink clusters never collide,
  // and the fleets' would with the same seed.
  session_spec.seed = spec.seed + 1;
  auto session = sim::Fleet::Create(session_spec);
  ASSERT_TRUE(session.ok()) << session.status();

  std::set<std::string> flink_jobs;
  for (const sim::SimJob& job : fleet->jobs()) flink_jobs.insert(ReportedJobName(job.name));
  for (const sim::SimJob& job : session->jobs()) flink_jobs.insert(ReportedJobName(job.name));

  Pipeline pipeline{scorer::ScoringConfig()};
  std::map<std::string, std::vector<v1::HealthReport>> reports;
  constexpr int kIntervals = 60;  // 10 minutes: window filled, then 20+ to judge
  for (int i = 1; i <= kIntervals; ++i) {
    const int64_t boundary = kT0 + i * kInterval;
    pipeline.Push(RenderReport(*fleet, boundary - 1), boundary - 1);
    pipeline.Push(RenderReport(*session, boundary - 1), boundary - 1);
    for (auto& [job, report] : pipeline.Close(boundary)) reports[job].push_back(report);
  }

  // Only Flink jobs, whatever the reporter's group names were.
  EXPECT_EQ(pipeline.batch_jobs(), flink_jobs);
  EXPECT_EQ(pipeline.report_jobs(), flink_jobs);
  for (const std::string& key : pipeline.jobs().Keys()) {
    EXPECT_TRUE(flink_jobs.contains(key)) << key;
    EXPECT_FALSE(IsHex32(key) || key.starts_with("flink")) << key;
  }
  // Attributed by evidence. The few left over: a TaskManager replacing a
  // crashed pod reports only its JVM until the restarting job deploys tasks
  // to it (the restarts fault), and belongs to no job until then.
  const gateway::AttributionCounts counts = pipeline.processes().counts();
  EXPECT_GT(counts.attributed, 0u);
  EXPECT_LT(counts.unattributed * 50, counts.attributed);
  EXPECT_GT(counts.shared_copies, 0u);  // the session cluster's

  std::printf(
      "\n%s, jobName \"%s\"\n| job | injected | score | grade | state | worst dimension |\n",
      std::string(sim::FlinkVersionName(version)).c_str(), job_name.push_job_name.c_str());
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  auto check = [&](const std::string& job, const Scenario& s, bool shared) {
    const std::vector<v1::HealthReport>& history = reports[job];
    ASSERT_GE(history.size(), 20u) << job;
    const v1::HealthReport& last = history.back();
    const v1::DimensionScore* worst = Worst(last);
    std::printf("| %s | %s | %.1f | %s | %s | %s %.1f |\n", job.c_str(), s.label.c_str(),
                last.score(), last.grade().c_str(), last.state().c_str(),
                worst ? worst->dimension().c_str() : "-", worst ? worst->score() : NAN);
    std::set<std::string> grades;
    for (size_t k = history.size() - 20; k < history.size(); ++k) {
      const v1::HealthReport& r = history[k];
      grades.insert(r.grade());
      // GC and CPU are the TaskManagers' JVM figures: known for every job.
      for (const char* process_wide : {"gc", "cpu"}) {
        const v1::DimensionScore* d = Dim(r, process_wide);
        ASSERT_NE(d, nullptr);
        if (s.dimension != "restarts") {
          EXPECT_NE(d->state(), v1::DIMENSION_STATE_UNKNOWN)
              << job << " " << process_wide << ": " << d->explanation();
        }
        if (shared && d->state() != v1::DIMENSION_STATE_UNKNOWN) {
          EXPECT_THAT(d->explanation(), HasSubstr("shared by 3 jobs")) << job;
        } else {
          EXPECT_THAT(d->explanation(), ::testing::Not(HasSubstr("shared"))) << job;
        }
      }
      if (s.dimension.empty()) {
        EXPECT_GE(r.score(), 8) << job << " interval " << k << "\n" << r.DebugString();
        EXPECT_EQ(r.state(), "running") << job;
      } else {
        EXPECT_LE(r.score(), s.max_score) << job << " (" << s.label << ") interval " << k << "\n"
                                          << r.DebugString();
        const v1::DimensionScore* w = Worst(r);
        ASSERT_NE(w, nullptr) << job;
        EXPECT_THAT(s.dimension, HasSubstr(w->dimension()))
            << job << " (" << s.label << ") interval " << k << "\n"
            << r.DebugString();
      }
    }
    EXPECT_EQ(grades.size(), 1u) << job << " grade flapped";
  };
  for (size_t j = 0; j < scenarios.size(); ++j) {
    check(ReportedJobName(fleet->jobs()[j].name), scenarios[j], /*shared=*/false);
  }
  for (const sim::SimJob& job : session->jobs()) {
    check(ReportedJobName(job.name), Scenarios()[0], /*shared=*/true);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryNamingAndJobName, ScenarioTest,
                         ::testing::Combine(::testing::ValuesIn(sim::kAllFlinkVersions),
                                            ::testing::Values(JobNameSetting{"FlinkDefault", ""},
                                                              JobNameSetting{"Fixed", "flink"})),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           std::string version(sim::FlinkVersionName(std::get<0>(info.param)));
                           std::replace(version.begin(), version.end(), '.', '_');
                           return absl::StrCat("Flink", version, "_", std::get<1>(info.param).name);
                         });

// Flink 1.15+ (JobStatusMetrics, default CURRENT_TIME): the job shows
// RESTARTING, then RUNNING, warms up, and is judged again after it.
class RestartTest : public ::testing::TestWithParam<sim::FlinkVersion> {};

TEST_P(RestartTest, RestartingThenRunningThenAWarmUpThenJudgedAgain) {
  sim::FleetSpec spec = RunningFleet(1, "k8s-test");
  spec.version = GetParam();
  auto fleet = sim::Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  const std::string job = ReportedJobName(fleet->jobs()[0].name);
  const scorer::ScoringConfig scoring;
  Pipeline pipeline(scoring);

  std::vector<v1::HealthReport> history;
  auto run_until = [&](int64_t until) {
    for (int64_t boundary = kT0 + static_cast<int64_t>(history.size() + 1) * kInterval;
         boundary <= until; boundary += kInterval) {
      pipeline.Push(RenderReport(*fleet, boundary - 1), boundary - 1);
      auto reports = pipeline.Close(boundary);
      ASSERT_TRUE(reports.contains(job)) << boundary;
      history.push_back(reports[job]);
    }
  };
  run_until(kT0 + 30 * kInterval);
  ASSERT_EQ(history.back().state(), "running");
  ASSERT_FALSE(history.back().warming_up());

  // One failure: the fault fails the job restart_interval_ms after it is
  // switched on — here 2 s before the report at the end of interval 33 —
  // and the job restarts for restart_duration_ms.
  const int64_t fail_at = kT0 + 33 * kInterval - 2'000;
  fleet->AdvanceTo(fail_at - spec.restart_interval_ms);
  ASSERT_TRUE(fleet->SetFault(0, sim::FaultKind::kRestarts, true).ok());
  run_until(kT0 + 32 * kInterval);
  fleet->AdvanceTo(fail_at + 1);
  ASSERT_TRUE(fleet->SetFault(0, sim::FaultKind::kRestarts, false).ok());
  run_until(kT0 + 33 * kInterval);
  const v1::HealthReport restarting = history.back();
  EXPECT_EQ(restarting.state(), "restarting") << restarting.DebugString();
  EXPECT_EQ(restarting.state_since_ms(), fail_at);
  EXPECT_THAT(restarting.diagnosis(), HasSubstr("job restarting for"));

  run_until(kT0 + 34 * kInterval);
  const v1::HealthReport back = history.back();
  const int64_t running_from = fail_at + spec.restart_duration_ms;
  EXPECT_EQ(back.state(), "running") << back.DebugString();
  EXPECT_EQ(back.state_since_ms(), running_from);
  EXPECT_TRUE(back.warming_up());
  EXPECT_THAT(back.diagnosis(), HasSubstr("warming up"));

  // Warming up for the 2 min after RUNNING, then judged again: once over,
  // the warm-up does not come back.
  const int64_t warm_until = running_from + absl::ToInt64Milliseconds(scoring.warmup);
  run_until(warm_until + 12 * kInterval);
  bool judged_again = false;
  for (size_t i = 33; i < history.size(); ++i) {
    const int64_t end = history[i].interval_start_ms() + kInterval;
    if (end < warm_until) {
      EXPECT_TRUE(history[i].warming_up()) << i;
    }
    if (!history[i].warming_up()) judged_again = true;
    if (judged_again) {
      EXPECT_FALSE(history[i].warming_up()) << i;
    }
  }
  EXPECT_TRUE(judged_again);
  const v1::HealthReport& judged = history.back();
  EXPECT_EQ(judged.state(), "running");
  EXPECT_GE(judged.score(), 8) << judged.DebugString();
  for (const v1::DimensionScore& d : judged.dimensions()) {
    EXPECT_NE(d.state(), v1::DIMENSION_STATE_UNKNOWN) << d.dimension() << ": " << d.explanation();
    EXPECT_THAT(d.explanation(), ::testing::Not(HasSubstr("before the restart")));
  }
}

INSTANTIATE_TEST_SUITE_P(Flink115AndLater, RestartTest,
                         ::testing::Values(sim::FlinkVersion::k1_17, sim::FlinkVersion::k1_19,
                                           sim::FlinkVersion::k2_0),
                         [](const auto& info) {
                           std::string v(sim::FlinkVersionName(info.param));
                           std::replace(v.begin(), v.end(), '.', '_');
                           return "Flink" + v;
                         });

// A job moved from Yarn to Kubernetes whose new side backpressures: while
// its dimensions warm up on the new cluster (settle shorter than the
// warm-up here), nothing was judged there and the verdict must wait; once
// judged, it is a rollback naming backpressure.
TEST(MigrationTest, TheVerdictWaitsForJudgedEvaluationsThenRollsBack) {
  auto fleet = sim::Fleet::Create(RunningFleet(1, "yarn-prod-1"));
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  const std::string job = ReportedJobName(fleet->jobs()[0].name);
  scorer::ScoringConfig scoring;
  scoring.rollback.settle = absl::Minutes(1);  // shorter than the 2 min warm-up
  Pipeline pipeline(scoring);

  int64_t boundary = kT0;
  auto run = [&](int intervals) {
    for (int i = 0; i < intervals; ++i) {
      boundary += kInterval;
      pipeline.Push(RenderReport(*fleet, boundary - 1), boundary - 1);
      pipeline.Close(boundary);
    }
  };
  run(60);  // 10 minutes healthy on Yarn: the baseline

  const int64_t moved_at = boundary;
  fleet->AdvanceTo(moved_at);
  ASSERT_TRUE(fleet->Redeploy(0, "k8s-prod-eu").ok());
  ASSERT_TRUE(fleet->SetFault(0, sim::FaultKind::kBackpressure, true).ok());
  v1::Migration migration;
  migration.set_from("yarn-prod-1");
  migration.set_to("k8s-prod-eu");
  migration.set_at(moved_at);
  ASSERT_TRUE(pipeline.jobs().AddMigration(job, migration).ok());

  // 3 minutes on: the first minute settles, the second warms up.
  run(18);
  std::optional<v1::RollbackVerdict> early = pipeline.jobs().Rollback(job, boundary + 5'000);
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->verdict(), "insufficient_data") << early->DebugString();
  EXPECT_LT(early->current_intervals(), scoring.rollback.min_points);
  EXPECT_THAT(early->reasons(0), HasSubstr("not counted: warming up"));

  // 7 minutes on: enough judged evaluations of a backpressured job.
  run(24);
  std::optional<v1::RollbackVerdict> late = pipeline.jobs().Rollback(job, boundary + 5'000);
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->verdict(), "rollback") << late->DebugString();
  EXPECT_THAT(late->degraded_dimensions(), ::testing::Contains("backpressure"));
  EXPECT_GE(late->current_intervals(), scoring.rollback.min_points);
  EXPECT_TRUE(pipeline.jobs().Latest(job)->rollback_recommended());
}

// A job its owner cancels: CANCELLING, then CANCELED (Flink reports every
// status gauge at 0 then), then its metrics go. Not graded, not "not
// reporting".
TEST(LifecycleTest, ACanceledJobIsNotGradedAndStaysCanceled) {
  sim::FleetSpec spec = RunningFleet(2, "k8s-test");
  spec.terminal_linger_ms = 15'000;  // a report falls between the end and the shutdown
  auto fleet = sim::Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  const std::string job = ReportedJobName(fleet->jobs()[0].name);
  Pipeline pipeline{scorer::ScoringConfig()};

  std::vector<std::string> states;
  std::vector<v1::HealthReport> history;
  int64_t boundary = kT0;
  auto run = [&](int intervals) {
    for (int i = 0; i < intervals; ++i) {
      boundary += kInterval;
      pipeline.Push(RenderReport(*fleet, boundary - 1), boundary - 1);
      auto reports = pipeline.Close(boundary);
      if (!reports.contains(job)) continue;
      history.push_back(reports[job]);
      if (states.empty() || states.back() != reports[job].state()) {
        states.push_back(reports[job].state());
      }
    }
  };
  run(30);
  fleet->AdvanceTo(boundary + 1'000);
  ASSERT_TRUE(fleet->EndJob(0, sim::JobEnd::kCanceled).ok());
  run(12);
  EXPECT_THAT(states, ::testing::ElementsAre("running", "cancelling", "canceled"));
  const v1::HealthReport canceled = *pipeline.jobs().Latest(job);
  EXPECT_EQ(canceled.state(), "canceled");
  EXPECT_TRUE(std::isnan(canceled.score()));
  EXPECT_EQ(canceled.grade(), "unknown");
  EXPECT_THAT(canceled.diagnosis(), HasSubstr("not graded"));
  // Minutes after its metrics stopped: still canceled.
  run(12);
  EXPECT_EQ(pipeline.jobs().Latest(job)->state(), "canceled");
}

}  // namespace
}  // namespace vitals
