// Acceptance tests of the health model on synthetic jobs: healthy jobs score
// high in every Flink naming, each single critical fault caps the score and
// is named, steady faults do not flap, worse inputs never raise the score.

#include "scorer/model/job_scorer.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using testing::FlinkNaming;
using ::testing::HasSubstr;
using testing::MakeInterval;
using testing::SyntheticJob;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kGraceMs = 5'000;

ScoringConfig Config() {
  ScoringConfig c;
  UserDefinedConfig errors;
  errors.name = "sink_errors";
  errors.metric = "numRecordsOutErrors";
  errors.aggregation = Aggregation::kRate;
  errors.band = {0, 0, 1, 2};
  errors.unit = "errors/s";
  c.user_defined.push_back(errors);
  return c;
}

// Feeds intervals [first, first + n) of `job` and evaluates after each.
std::vector<v1::HealthReport> Feed(JobScorer& scorer, const SyntheticJob& job, int first, int n) {
  std::vector<v1::HealthReport> reports;
  for (int i = first; i < first + n; ++i) {
    const int64_t start = kT0 + i * job.interval_ms;
    for (const v1::MetricBatch& batch : MakeInterval(job, start)) EXPECT_TRUE(scorer.Add(batch));
    std::optional<v1::HealthReport> report = scorer.Evaluate(start + job.interval_ms + kGraceMs);
    EXPECT_TRUE(report.has_value());
    if (report) reports.push_back(*std::move(report));
  }
  return reports;
}

const v1::DimensionScore* Worst(const v1::HealthReport& r) {
  const v1::DimensionScore* worst = nullptr;
  for (const v1::DimensionScore& d : r.dimensions()) {
    if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
    if (worst == nullptr || d.score() < worst->score()) worst = &d;
  }
  return worst;
}

const v1::DimensionScore& Dim(const v1::HealthReport& r, const std::string& name) {
  for (const v1::DimensionScore& d : r.dimensions()) {
    if (d.dimension() == name) return d;
  }
  ADD_FAILURE() << "no dimension " << name;
  static v1::DimensionScore none;
  return none;
}

std::string Describe(const v1::HealthReport& r) {
  std::string s = "score " + std::to_string(r.score()) + " grade " + r.grade() + "\n";
  for (const v1::DimensionScore& d : r.dimensions()) {
    s += "  " + d.dimension() + " " + std::to_string(d.score()) + ": " + d.explanation() + "\n";
  }
  return s + "  diagnosis: " + r.diagnosis();
}

class NamingTest : public ::testing::TestWithParam<FlinkNaming> {};

TEST_P(NamingTest, HealthyJobScoresAtLeastEight) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  job.naming = GetParam();
  const v1::HealthReport r = Feed(scorer, job, 0, 40).back();
  EXPECT_GE(r.score(), 8) << Describe(r);
  EXPECT_EQ(r.grade(), "healthy");
  EXPECT_DOUBLE_EQ(r.confidence(), 1) << Describe(r);  // every dimension had data
  EXPECT_FALSE(r.warming_up());
  EXPECT_THAT(r.diagnosis(), HasSubstr("healthy: all 8 dimensions with data within thresholds"));
  EXPECT_EQ(r.job_name(), "orders-enrichment");
  EXPECT_EQ(r.cluster(), "k8s-prod-eu");
  EXPECT_EQ(r.interval_start_ms(), kT0 + 39 * job.interval_ms);
}

INSTANTIATE_TEST_SUITE_P(AllNamings, NamingTest,
                         ::testing::Values(FlinkNaming::k120, FlinkNaming::k118, FlinkNaming::k112,
                                           FlinkNaming::k110));

struct Fault {
  const char* name;
  const char* dimension;
  std::function<void(SyntheticJob&)> inject;
};

const Fault kFaults[] = {
    {"backlog", "latency", [](SyntheticJob& j) { j.pending_records = 1'000'000; }},
    {"failing_checkpoints", "checkpoint", [](SyntheticJob& j) { j.checkpoint_failed_share = 0.7; }},
    {"stalled_checkpoints", "checkpoint", [](SyntheticJob& j) { j.checkpoint_every_ms = 0; }},
    {"slow_checkpoints", "checkpoint", [](SyntheticJob& j) { j.checkpoint_duration_ms = 45'000; }},
    {"crash_loop", "restarts", [](SyntheticJob& j) { j.restarts_per_interval = 0.25; }},
    {"not_running", "restarts", [](SyntheticJob& j) { j.running = false; }},
    {"gc", "gc", [](SyntheticJob& j) { j.gc_share = 0.17; }},
    {"cpu", "cpu", [](SyntheticJob& j) { j.cpu_load = 0.95; }},
    {"backpressure", "backpressure",
     [](SyntheticJob& j) {
       j.backpressure = 0.8;
       j.backpressured_tasks = 2;
     }},
    {"skew", "skew", [](SyntheticJob& j) { j.skew_factor = 5; }},
    {"sink_errors", "sink_errors", [](SyntheticJob& j) { j.sink_errors_per_s = 5; }},
};

class FaultTest : public ::testing::TestWithParam<std::tuple<Fault, FlinkNaming>> {};

TEST_P(FaultTest, SingleCriticalFaultCapsTheScoreAndIsNamedWorst) {
  const auto& [fault, naming] = GetParam();
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  job.naming = naming;
  Feed(scorer, job, 0, 30);
  fault.inject(job);
  std::vector<v1::HealthReport> reports = Feed(scorer, job, 30, 60);
  const v1::HealthReport& r = reports.back();
  EXPECT_LE(r.score(), 4) << Describe(r);
  ASSERT_NE(Worst(r), nullptr);
  EXPECT_EQ(Worst(r)->dimension(), fault.dimension) << Describe(r);
  EXPECT_EQ(Dim(r, fault.dimension).state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_EQ(r.grade(), "critical");
  EXPECT_THAT(r.diagnosis(), HasSubstr("critical: " + Dim(r, fault.dimension).explanation()));

  // Steady fault: the last 20 evaluations keep one grade.
  for (size_t i = reports.size() - 20; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].grade(), "critical") << i << "\n" << Describe(reports[i]);
  }
}

std::string FaultTestName(const ::testing::TestParamInfo<std::tuple<Fault, FlinkNaming>>& info) {
  static const char* const kNaming[] = {"flink120", "flink118", "flink112", "flink110"};
  return std::string(std::get<0>(info.param).name) + "_" +
         kNaming[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultTest,
                         ::testing::Combine(::testing::ValuesIn(kFaults),
                                            ::testing::Values(FlinkNaming::k120, FlinkNaming::k118,
                                                              FlinkNaming::k112,
                                                              FlinkNaming::k110)),
                         FaultTestName);

// Flink reports event-time lag from 1.14 on (FLIP-33).
const Fault kEventTimeLag[] = {
    {"event_time_lag", "latency", [](SyntheticJob& j) { j.event_time_lag_ms = 240'000; }},
};
INSTANTIATE_TEST_SUITE_P(EventTimeLag, FaultTest,
                         ::testing::Combine(::testing::ValuesIn(kEventTimeLag),
                                            ::testing::Values(FlinkNaming::k120,
                                                              FlinkNaming::k118)),
                         FaultTestName);

TEST(JobScorerTest, DiagnosisSpellsOutFailingCheckpoints) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  Feed(scorer, job, 0, 30);
  job.checkpoint_failed_share = 0.7;
  const v1::HealthReport r = Feed(scorer, job, 30, 40).back();
  EXPECT_THAT(r.diagnosis(), ::testing::MatchesRegex(
                                 "critical: checkpoints failing: [0-9]+ of 10 failed in 5 min; "
                                 "last success [0-9.]+ (s|min) ago.*"));
}

TEST(JobScorerTest, NoisyFaultAtAGradeBoundaryDoesNotFlap) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  Feed(scorer, job, 0, 30);
  // Event-time lag jumping between 110 s and 200 s every interval: the
  // latency score (the lowest lag of the last minute) and the job score
  // with it wander across the healthy/degraded boundary all the time.
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> lag_ms(110'000, 200'000);
  int raw_changes = 0, grade_changes = 0;
  std::string previous_grade;
  bool previous_raw_healthy = false;
  for (int i = 30; i < 150; ++i) {
    job.event_time_lag_ms = lag_ms(rng);
    const v1::HealthReport r = Feed(scorer, job, i, 1).back();
    const bool raw_healthy = r.score() >= config.grades.healthy;
    if (i >= 50) {
      raw_changes += raw_healthy != previous_raw_healthy;
      grade_changes += r.grade() != previous_grade;
    }
    previous_raw_healthy = raw_healthy;
    previous_grade = r.grade();
  }
  EXPECT_GE(raw_changes, 10) << "the test no longer straddles a boundary";
  EXPECT_LE(grade_changes, 2) << raw_changes << " raw band changes";
  ::testing::Test::RecordProperty("raw_band_changes", raw_changes);
  ::testing::Test::RecordProperty("grade_changes", grade_changes);
}

double Uniform(std::mt19937& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// A random job: each knob healthy or (sometimes) faulty.
SyntheticJob RandomJob(std::mt19937& rng) {
  SyntheticJob j;
  auto faulty = [&] { return Uniform(rng, 0, 1) < 0.3; };
  j.naming = static_cast<FlinkNaming>(std::uniform_int_distribution<int>(0, 3)(rng));
  j.input_rate = Uniform(rng, 200, 5000);
  if (faulty()) j.restarts_per_interval = Uniform(rng, 0, 0.3);
  if (faulty()) j.checkpoint_failed_share = Uniform(rng, 0, 0.8);
  if (faulty()) j.checkpoint_duration_ms = Uniform(rng, 1'000, 40'000);
  if (faulty()) j.gc_share = Uniform(rng, 0, 0.25);
  if (faulty()) j.cpu_load = Uniform(rng, 0, 1);
  if (faulty()) j.backpressure = Uniform(rng, 0, 0.9);
  if (faulty()) j.backpressured_tasks = std::uniform_int_distribution<int>(1, 3)(rng);
  if (faulty()) j.skew_factor = Uniform(rng, 1, 8);
  if (faulty()) j.pending_records = Uniform(rng, 0, 2e6);
  if (faulty()) j.event_time_lag_ms = Uniform(rng, 0, 1e6);
  if (faulty()) j.sink_errors_per_s = Uniform(rng, 0, 3);
  return j;
}

// Makes one knob of `j` worse; returns its name.
std::string Worsen(std::mt19937& rng, SyntheticJob& j) {
  switch (std::uniform_int_distribution<int>(0, 12)(rng)) {
    case 0:
      j.restarts_per_interval = std::min(1.0, j.restarts_per_interval + Uniform(rng, 0.01, 0.3));
      return "restarts";
    case 1:
      j.running = false;
      return "running";
    case 2:
      j.checkpoint_failed_share =
          std::min(1.0, j.checkpoint_failed_share + Uniform(rng, 0.01, 0.5));
      return "checkpoint_failed_share";
    case 3:
      j.checkpoint_duration_ms *= Uniform(rng, 1, 3);
      return "checkpoint_duration";
    case 4:
      j.gc_share = std::min(1.0, j.gc_share + Uniform(rng, 0.001, 0.1));
      return "gc";
    case 5:
      j.cpu_load = std::min(1.0, j.cpu_load + Uniform(rng, 0.01, 0.5));
      return "cpu";
    case 6:
      j.backpressure = std::min(1.0, j.backpressure + Uniform(rng, 0.01, 0.5));
      return "backpressure";
    case 7:
      j.backpressured_tasks += 1;
      return "backpressured_tasks";
    case 8:
      j.skew_factor *= Uniform(rng, 1, 3);
      return "skew";
    case 9:
      j.pending_records += Uniform(rng, 1, 1e6);
      return "pending_records";
    case 10:
      j.input_rate *= Uniform(rng, 0.3, 1);
      return "input_rate";
    case 11:
      j.event_time_lag_ms += Uniform(rng, 1, 5e5);
      return "event_time_lag";
    default:
      j.sink_errors_per_s += Uniform(rng, 0.01, 2);
      return "sink_errors";
  }
}

TEST(JobScorerPropertyTest, MakingAnyInputWorseNeverRaisesTheScore) {
  ScoringConfig config = Config();
  std::mt19937 rng(20240611);
  for (int trial = 0; trial < 300; ++trial) {
    const SyntheticJob base = RandomJob(rng);
    SyntheticJob worse = base;
    const std::string knob = Worsen(rng, worse);
    JobScorer a(&config), b(&config);
    // Both watch the same job for a while, then one of its inputs worsens.
    Feed(a, base, 0, 30);
    Feed(b, base, 0, 30);
    const std::vector<v1::HealthReport> ra = Feed(a, base, 30, 40);
    const std::vector<v1::HealthReport> rb = Feed(b, worse, 30, 40);
    for (size_t i = 0; i < ra.size(); ++i) {
      if (std::isnan(ra[i].score()) || std::isnan(rb[i].score())) continue;
      ASSERT_LE(rb[i].score(), ra[i].score() + 1e-9)
          << "trial " << trial << " knob " << knob << " interval " << 30 + i
          << "\nbase:  " << Describe(ra[i]) << "\nworse: " << Describe(rb[i]);
    }
  }
}

TEST(JobScorerTest, RestartWarmUpHidesCatchUpButNotTheRestart) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  Feed(scorer, job, 0, 40);
  // A restart: one restart, a restore, then a minute of catch-up backlog and
  // backpressure that drains.
  job.restarts_per_interval = 1;
  job.restore_timestamp_ms = static_cast<double>(kT0 + 40 * job.interval_ms + 3000);
  v1::HealthReport during = Feed(scorer, job, 40, 1).back();
  job.restarts_per_interval = 0;
  job.pending_records = 2'000'000;
  job.backpressure = 0.9;
  for (int i = 41; i < 47; ++i) during = Feed(scorer, job, i, 1).back();
  EXPECT_TRUE(during.warming_up());
  EXPECT_THAT(during.diagnosis(), HasSubstr("warming up (restored from a checkpoint"));
  EXPECT_NE(Dim(during, "latency").state(), v1::DIMENSION_STATE_CRITICAL) << Describe(during);
  EXPECT_NE(Dim(during, "backpressure").state(), v1::DIMENSION_STATE_CRITICAL);
  EXPECT_DOUBLE_EQ(Dim(during, "restarts").observed(), 1);
  EXPECT_GE(during.score(), 7) << Describe(during);

  job.pending_records = 0;
  job.backpressure = 0;
  const v1::HealthReport after = Feed(scorer, job, 47, 20).back();
  EXPECT_FALSE(after.warming_up());
  EXPECT_GE(after.score(), 8) << Describe(after);
  EXPECT_EQ(Dim(after, "latency").state(), v1::DIMENSION_STATE_OK);
}

TEST(JobScorerTest, WarmUpDoesNotHideAFaultThatWasThereBefore) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  job.gc_share = 0.18;
  Feed(scorer, job, 0, 40);
  job.job_id = "a-new-job-id-after-redeploy";
  const v1::HealthReport r = Feed(scorer, job, 40, 3).back();
  EXPECT_TRUE(r.warming_up());
  EXPECT_EQ(Dim(r, "gc").state(), v1::DIMENSION_STATE_CRITICAL) << Describe(r);
  EXPECT_LE(r.score(), 4);
  EXPECT_EQ(r.job_id(), "a-new-job-id-after-redeploy");
}

// Flink 1.15+ by default (JobStatusMetrics, CURRENT_TIME): the non-zero
// `<status>Time` names the state. A restart shows RESTARTING, then
// RUNNING, then a warm-up, then the job is judged again.
class LifecycleTest : public ::testing::TestWithParam<FlinkNaming> {};

TEST_P(LifecycleTest, ARestartShowsRestartingThenRunningThenWarmsUpAndIsJudgedAgain) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  job.naming = GetParam();
  const v1::HealthReport steady = Feed(scorer, job, 0, 40).back();
  EXPECT_EQ(steady.state(), "running");
  EXPECT_EQ(steady.state_since_ms(), job.state_since_ms);
  EXPECT_EQ(steady.state_duration_ms(), kT0 + 40 * job.interval_ms - job.state_since_ms);
  EXPECT_FALSE(steady.warming_up());

  // Restarting for two intervals, from 2 s into interval 40.
  job.running = false;
  job.state_since_ms = kT0 + 40 * job.interval_ms + 2'000;
  job.restarts_per_interval = 1;
  const v1::HealthReport restarting = Feed(scorer, job, 40, 2).back();
  EXPECT_EQ(restarting.state(), "restarting");
  EXPECT_EQ(restarting.state_since_ms(), job.state_since_ms);
  EXPECT_THAT(restarting.diagnosis(), HasSubstr("job restarting for"));

  // Running again from 5 s into interval 42: a warm-up from then on.
  job.running = true;
  job.restarts_per_interval = 0;
  job.state_since_ms = kT0 + 42 * job.interval_ms + 5'000;
  job.backpressure = 0.9;  // catch-up after the restart
  const v1::HealthReport back = Feed(scorer, job, 42, 1).back();
  EXPECT_EQ(back.state(), "running");
  EXPECT_EQ(back.state_since_ms(), job.state_since_ms);
  EXPECT_TRUE(back.warming_up());
  EXPECT_NE(Dim(back, "backpressure").state(), v1::DIMENSION_STATE_CRITICAL) << Describe(back);

  // The warm-up (2 min) ends 2 min after RUNNING: judged again, and the
  // backpressure that stayed is found.
  std::vector<v1::HealthReport> later = Feed(scorer, job, 43, 20);
  const int64_t settled = job.state_since_ms + absl::ToInt64Milliseconds(config.warmup);
  for (const v1::HealthReport& r : later) {
    const int64_t end = r.interval_start_ms() + job.interval_ms;
    EXPECT_EQ(r.warming_up(), end < settled) << end;
  }
  EXPECT_GE(Dim(later.back(), "backpressure").state(), v1::DIMENSION_STATE_WARN)
      << Describe(later.back());
}

INSTANTIATE_TEST_SUITE_P(Modern, LifecycleTest,
                         ::testing::Values(FlinkNaming::k120, FlinkNaming::k112),
                         [](const auto& info) {
                           return info.param == FlinkNaming::k120 ? "status_time" : "uptime";
                         });

TEST(JobScorerTest, AFinishedJobIsNotGradedAndSaysSo) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  job.checkpoint_every_ms = 0;  // a bounded job: no checkpoints to judge
  Feed(scorer, job, 0, 30);
  // FINISHED has no gauge: every `<status>Time` reads 0.
  std::vector<v1::MetricBatch> ended = MakeInterval(job, kT0 + 30 * job.interval_ms);
  for (v1::MetricBatch& batch : ended) {
    for (v1::SeriesAggregate& s : *batch.mutable_series()) {
      if (s.scope() == v1::SCOPE_JOBMANAGER_JOB && s.metric().ends_with("Time")) s.set_last(0);
    }
    scorer.Add(batch);
  }
  const v1::HealthReport r = *scorer.Evaluate(kT0 + 31 * job.interval_ms + kGraceMs);
  EXPECT_EQ(r.state(), "finished");
  EXPECT_TRUE(std::isnan(r.score()));
  EXPECT_EQ(r.grade(), "unknown");
  EXPECT_THAT(r.diagnosis(), HasSubstr("job finished"));
  EXPECT_THAT(r.diagnosis(), HasSubstr("not graded"));
  // Its metrics stop: it stays finished, never "not reporting".
  const int64_t later = kT0 + 60 * job.interval_ms;
  EXPECT_FALSE(scorer.NoteSilence(later, later, absl::Minutes(1)).has_value());
}

TEST(JobScorerTest, ASilentJobTurnsNotReportingOnce) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  Feed(scorer, job, 0, 10);
  const int64_t last_end = kT0 + 10 * job.interval_ms;
  EXPECT_FALSE(scorer.NoteSilence(last_end + 30'000, last_end, absl::Minutes(1)).has_value());
  std::optional<v1::HealthReport> silent =
      scorer.NoteSilence(last_end + 61'000, last_end + 61'000, absl::Minutes(1));
  ASSERT_TRUE(silent.has_value());
  EXPECT_EQ(silent->state(), "not_reporting");
  EXPECT_EQ(silent->state_since_ms(), last_end);
  EXPECT_THAT(silent->diagnosis(), HasSubstr("job not reporting: no metrics since 61 s ago"));
  EXPECT_FALSE(
      scorer.NoteSilence(last_end + 90'000, last_end + 90'000, absl::Minutes(1)).has_value());
  // Data again: the state comes from the gauges.
  EXPECT_EQ(Feed(scorer, job, 20, 1).back().state(), "running");
}

TEST(JobScorerTest, WarmUpEvaluationsAreMarkedUnjudged) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  Feed(scorer, job, 0, 30);
  job.job_id = "redeployed";
  Feed(scorer, job, 30, 30);
  // Warm-up: 2 min from the start of interval 30, when the new id came.
  const int64_t restart = kT0 + 30 * job.interval_ms;
  int unjudged = 0;
  for (const v1::HistoryPoint& p : scorer.history()) {
    if (p.at_ms() < kT0 + 10 * job.interval_ms) continue;  // the first data still too thin
    const bool warming = p.at_ms() > restart && p.at_ms() < restart + 120'000;
    EXPECT_EQ(p.unjudged(), warming) << (p.at_ms() - kT0) / job.interval_ms;
    unjudged += p.unjudged();
  }
  EXPECT_EQ(unjudged, 11);
}

TEST(JobScorerTest, SharedTaskManagersAreSaidSo) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  job.gc_share = 0.18;
  v1::HealthReport r;
  for (int i = 0; i < 20; ++i) {
    const int64_t start = kT0 + i * job.interval_ms;
    for (v1::MetricBatch& batch : MakeInterval(job, start)) {
      // Two gateways, each with two TaskManagers that run 3 jobs.
      batch.set_processes(2);
      batch.set_shared_processes(2);
      batch.set_max_jobs_per_process(3);
      scorer.Add(batch);
    }
    r = *scorer.Evaluate(start + job.interval_ms + kGraceMs);
  }
  EXPECT_THAT(Dim(r, "gc").explanation(),
              HasSubstr("shared by 3 jobs (4 of 4 processes run other jobs too"));
  EXPECT_THAT(Dim(r, "cpu").explanation(), HasSubstr("shared by 3 jobs"));
  EXPECT_THAT(Dim(r, "checkpoint").explanation(), ::testing::Not(HasSubstr("shared")));
}

TEST(JobScorerTest, MissingDataLowersConfidenceInsteadOfPassingAsHealthy) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  // Only the JobManager's gateway reports: restarts and checkpoints.
  SyntheticJob job;
  job.gateways = 1;
  job.taskmanagers = 1;
  job.parallelism = 1;
  v1::HealthReport r;
  for (int i = 0; i < 40; ++i) {
    const int64_t start = kT0 + i * job.interval_ms;
    v1::MetricBatch batch = MakeInterval(job, start)[0];
    auto* series = batch.mutable_series();
    series->erase(std::remove_if(series->begin(), series->end(),
                                 [](const v1::SeriesAggregate& s) {
                                   return s.scope() != v1::SCOPE_JOBMANAGER_JOB;
                                 }),
                  series->end());
    scorer.Add(batch);
    r = *scorer.Evaluate(start + job.interval_ms + kGraceMs);
  }
  EXPECT_NEAR(r.confidence(), 4.0 / 9.5, 1e-9) << Describe(r);
  EXPECT_EQ(r.grade(), "healthy");
  EXPECT_EQ(Dim(r, "cpu").state(), v1::DIMENSION_STATE_UNKNOWN);
  EXPECT_TRUE(std::isnan(Dim(r, "cpu").score()));
  EXPECT_THAT(r.diagnosis(), HasSubstr("no data for latency, gc, cpu, backpressure, skew"));
}

TEST(JobScorerTest, NoDataAtAllIsUnknownNotTen) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  v1::MetricBatch batch;
  batch.set_gateway("node-0");
  batch.set_job_name("empty");
  batch.set_interval_length_ms(10'000);
  std::optional<v1::HealthReport> r;
  for (int i = 0; i < 10; ++i) {
    batch.set_interval_start_ms(kT0 + i * 10'000);
    scorer.Add(batch);
    r = scorer.Evaluate(kT0 + (i + 1) * 10'000 + kGraceMs);
  }
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(std::isnan(r->score()));
  EXPECT_EQ(r->grade(), "unknown");
  EXPECT_DOUBLE_EQ(r->confidence(), 0);
  EXPECT_TRUE(scorer.history().empty());
}

TEST(JobScorerTest, NaNAndUndefinedValuesAreMissing) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  v1::HealthReport r;
  for (int i = 0; i < 40; ++i) {
    const int64_t start = kT0 + i * job.interval_ms;
    for (v1::MetricBatch batch : MakeInterval(job, start)) {
      for (v1::SeriesAggregate& s : *batch.mutable_series()) {
        if (s.metric() == "Status_JVM_CPU_Load") {
          s.set_min(-1), s.set_max(-1), s.set_last(-1), s.set_sum(-1.0 * s.count());
        }
        if (s.metric() == "currentEmitEventTimeLag") {
          const double nan = std::numeric_limits<double>::quiet_NaN();
          s.set_min(nan), s.set_max(nan), s.set_last(nan), s.set_sum(nan);
        }
      }
      scorer.Add(batch);
    }
    r = *scorer.Evaluate(start + job.interval_ms + kGraceMs);
  }
  EXPECT_EQ(Dim(r, "cpu").state(), v1::DIMENSION_STATE_UNKNOWN);
  // Latency still has the backlog signal; the undefined lag is not a 0 s lag.
  EXPECT_EQ(Dim(r, "latency").unit(), "s");
  EXPECT_THAT(Dim(r, "latency").explanation(), ::testing::Not(HasSubstr("event-time lag")));
}

TEST(JobScorerTest, LateAndDuplicateBatchesAreDroppedAndCounted) {
  ScoringConfig config = Config();
  JobScorer scorer(&config);
  SyntheticJob job;
  std::vector<v1::MetricBatch> first = MakeInterval(job, kT0);
  EXPECT_TRUE(scorer.Add(first[0]));
  EXPECT_FALSE(scorer.Add(first[0]));
  EXPECT_FALSE(scorer.Evaluate(kT0 + 10'000 + kGraceMs - 1).has_value());
  EXPECT_TRUE(scorer.Evaluate(kT0 + 10'000 + kGraceMs).has_value());
  EXPECT_FALSE(scorer.Add(first[1]));
  EXPECT_EQ(scorer.late_batches(), 1u);
  EXPECT_EQ(scorer.duplicate_batches(), 1u);
  EXPECT_FALSE(scorer.Evaluate(kT0 + 60'000).has_value());
}

TEST(JobScorerTest, SerializedRecordsScoreLikeDecodedBatches) {
  ScoringConfig config = Config();
  JobScorer decoded(&config), serialized(&config);
  SyntheticJob job;
  job.gc_share = 0.12;
  v1::HealthReport a, b;
  for (int i = 0; i < 40; ++i) {
    const int64_t start = kT0 + i * job.interval_ms;
    for (const v1::MetricBatch& batch : MakeInterval(job, start)) {
      decoded.Add(batch);
      EXPECT_TRUE(serialized.AddSerialized(batch.SerializeAsString()));
    }
    a = *decoded.Evaluate(start + job.interval_ms + kGraceMs);
    b = *serialized.Evaluate(start + job.interval_ms + kGraceMs);
  }
  EXPECT_EQ(a.DebugString(), b.DebugString());
  EXPECT_FALSE(serialized.AddSerialized("garbage"));
  EXPECT_EQ(serialized.malformed_batches(), 1u);
}

TEST(JobScorerTest, HistoryIsBoundedAndRestorable) {
  ScoringConfig config = Config();
  config.history_points = 25;
  JobScorer scorer(&config);
  SyntheticJob job;
  Feed(scorer, job, 0, 40);
  ASSERT_EQ(scorer.history().size(), 25u);
  const v1::HistoryPoint& last = scorer.history().back();
  EXPECT_EQ(last.at_ms(), kT0 + 40 * job.interval_ms);
  EXPECT_EQ(last.cluster(), "k8s-prod-eu");
  EXPECT_EQ(last.dimensions().size(), 8u);

  v1::JobState state;
  state.set_job_name(job.job_name);
  state.set_last_job_id(job.job_id);
  for (const v1::HistoryPoint& p : scorer.history()) *state.add_history() = p;
  JobScorer restored(&config);
  restored.RestoreHistory(state);
  EXPECT_EQ(restored.history().size(), 25u);
  // The interval the history ends with was published already.
  EXPECT_FALSE(restored.Add(MakeInterval(job, kT0 + 39 * job.interval_ms)[0]));
  EXPECT_TRUE(restored.Add(MakeInterval(job, kT0 + 40 * job.interval_ms)[0]));
  // A different job id than the state's is a restart.
  job.job_id = "redeployed";
  Feed(restored, job, 41, 3);
  EXPECT_TRUE(restored.latest()->warming_up());
}

}  // namespace
}  // namespace vitals::scorer
