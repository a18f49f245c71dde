// Each fault drives the metrics its dimension reads and leaves the other
// dimensions (and the other jobs) clearly healthy.

#include <optional>

#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "sim/truth.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

FleetSpec TwoJobs() {
  FleetSpec spec;
  spec.jobs = 2;
  spec.parallelism = 4;
  spec.start_ms = kStart;
  return spec;
}

// Fails the test for every dimension other than `faulted` that looks unhealthy.
void ExpectHealthyExcept(const Health& before, const Health& after, double seconds,
                         std::optional<FaultKind> faulted) {
  auto is = [&](FaultKind kind) { return faulted.has_value() && *faulted == kind; };
  if (!is(FaultKind::kBackpressure)) {
    EXPECT_LT(after.max_backpressured, 100);
    EXPECT_LT(after.max_out_pool, 0.5);
    EXPECT_LT(after.max_busy, 700);
  }
  if (!is(FaultKind::kCheckpointFailure)) {
    EXPECT_EQ(after.failed, 0);
    EXPECT_GE(after.completed - before.completed, 1);
    EXPECT_LT(after.last_checkpoint_duration, 2'000);
  }
  if (!is(FaultKind::kRestarts)) {
    EXPECT_EQ(after.restarts, 0);
  }
  if (!is(FaultKind::kGcPressure)) {
    EXPECT_LT(MaxGcRate(before, after, seconds), 50);
  }
  if (!is(FaultKind::kCpuSaturation)) {
    EXPECT_LT(after.max_cpu_load, 0.6);
  }
  if (!is(FaultKind::kSourceLag)) {
    EXPECT_LT(after.max_pending, 1'000);
    EXPECT_LT(after.max_emit_lag, 5'000);
  }
  if (!is(FaultKind::kSkew)) {
    EXPECT_LT(after.skew_percent, 10);
  }
}

// Runs the fleet to +10 s, switches `kind` on for job 0, runs to +70 s.
struct FaultRun {
  Fleet fleet;
  Health before;  // job 0 at +10 s, just before the fault
  Health after;   // job 0 at +70 s
  Health control_before;
  Health control_after;
};

FaultRun RunWithFault(FaultKind kind, FleetSpec spec = TwoJobs()) {
  FaultRun run{MakeFleet(spec), {}, {}, {}, {}};
  run.fleet.AdvanceTo(kStart + 10'000);
  run.before = Measure(run.fleet, 0);
  run.control_before = Measure(run.fleet, 1);
  EXPECT_TRUE(run.fleet.SetFault(0, kind, true).ok());
  for (int64_t t = 20'000; t <= 70'000; t += 10'000) run.fleet.AdvanceTo(kStart + t);
  run.after = Measure(run.fleet, 0);
  run.control_after = Measure(run.fleet, 1);
  return run;
}

TEST(FaultsTest, HealthyFleetIsClearlyHealthy) {
  Fleet fleet = MakeFleet(TwoJobs());
  fleet.AdvanceTo(kStart + 10'000);
  Health before[2] = {Measure(fleet, 0), Measure(fleet, 1)};
  fleet.AdvanceTo(kStart + 70'000);
  for (int job = 0; job < 2; ++job) {
    SCOPED_TRACE(job);
    ExpectHealthyExcept(before[job], Measure(fleet, job), 60, std::nullopt);
  }
}

TEST(FaultsTest, BackpressureFillsUpstreamAndSaturatesTheBottleneck) {
  FaultRun run = RunWithFault(FaultKind::kBackpressure);
  const SimJob& job = run.fleet.jobs()[0];
  ASSERT_GE(job.tasks.size(), 2u);
  for (const TruthSample& s :
       SamplesOf(run.fleet, 0, Scope::kTask, "backPressuredTimeMsPerSecond")) {
    const bool bottleneck = LabelOf(s, "task_id") == job.tasks.back().id;
    if (bottleneck) {
      EXPECT_EQ(s.reading.number, 0);
    } else {
      EXPECT_GE(s.reading.number, 600);
      EXPECT_LE(s.reading.number, 900);
    }
  }
  for (const TruthSample& s : SamplesOf(run.fleet, 0, Scope::kTask, "busyTimeMsPerSecond")) {
    if (LabelOf(s, "task_id") == job.tasks.back().id) {
      EXPECT_GE(s.reading.number, 950);
    }
  }
  for (const TruthSample& s : SamplesOf(run.fleet, 0, Scope::kTask, "isBackPressured")) {
    EXPECT_EQ(s.reading.flag, LabelOf(s, "task_id") != job.tasks.back().id);
  }
  EXPECT_GE(run.after.max_out_pool, 0.97);
  EXPECT_LT(run.after.source_rate, 0.5 * run.before.source_rate);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kBackpressure);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);
}

TEST(FaultsTest, CheckpointFailuresGrowWhileCompletedStalls) {
  FaultRun run = RunWithFault(FaultKind::kCheckpointFailure);
  EXPECT_GE(run.after.failed - run.before.failed, 5);
  EXPECT_EQ(run.after.completed, run.before.completed);
  EXPECT_GE(run.after.last_checkpoint_duration, 60'000);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kCheckpointFailure);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);
}

TEST(FaultsTest, RestartsCountUpAndTheJobIsBrieflyRestarting) {
  FleetSpec spec = TwoJobs();
  // metrics.job.status.enable: STATE too, for the <status>State gauges.
  spec.job_status_metrics = {JobStatusMetric::kState, JobStatusMetric::kCurrentTime};
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  const std::string first_tm = fleet.jobs()[0].processes[1].tm_id;
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kRestarts, true).ok());
  // The first failure comes restart_interval_ms after the fault.
  fleet.AdvanceTo(kStart + 10'000 + spec.restart_interval_ms);
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kRestarting);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "numRestarts"), 1);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "restartingState"), 1);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "runningState"), 0);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "uptime"), 0);
  // Tasks are down: no task or operator metrics while restarting.
  EXPECT_EQ(CountOf(fleet, 0, Scope::kTask, "numRecordsIn"), 0u);
  // The crashed TaskManager came back as a new pod.
  EXPECT_NE(fleet.jobs()[0].processes[1].tm_id, first_tm);

  fleet.AdvanceTo(kStart + 10'000 + spec.restart_interval_ms + spec.restart_duration_ms + 1'000);
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kRunning);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "runningState"), 1);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "uptime"), 1'000);
  EXPECT_EQ(fleet.jobs()[0].attempt_number, 1);
  for (const TruthSample& s : SamplesOf(fleet, 0, Scope::kTask, "numRecordsIn")) {
    EXPECT_EQ(LabelOf(s, "task_attempt_num"), "1");
  }

  FaultRun run = RunWithFault(FaultKind::kRestarts);
  EXPECT_GE(run.after.restarts, 2);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kRestarts);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);
}

TEST(FaultsTest, GcPressureSpendsAboutAThirdOfEachSecondInGc) {
  FaultRun run = RunWithFault(FaultKind::kGcPressure);
  const double rate = MaxGcRate(run.before, run.after, 60);
  EXPECT_GE(rate, 250);
  EXPECT_LE(rate, 350);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kGcPressure);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);
}

TEST(FaultsTest, GcPressureShowsInAllTimeMsPerSecondFrom119) {
  FleetSpec spec = TwoJobs();
  spec.version = FlinkVersion::k1_19;
  FaultRun run = RunWithFault(FaultKind::kGcPressure, spec);
  EXPECT_GE(
      MinOf(run.fleet, 0, Scope::kTaskManager, "Status_JVM_GarbageCollector_All_TimeMsPerSecond"),
      250);
  EXPECT_LT(
      MaxOf(run.fleet, 1, Scope::kTaskManager, "Status_JVM_GarbageCollector_All_TimeMsPerSecond"),
      50);
}

TEST(FaultsTest, CpuSaturationPinsTaskManagerLoad) {
  FaultRun run = RunWithFault(FaultKind::kCpuSaturation);
  EXPECT_GE(run.after.min_cpu_load, 0.95);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kCpuSaturation);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);
}

TEST(FaultsTest, SourceLagGrowsToMinutesAndDrainsAfterwards) {
  FaultRun run = RunWithFault(FaultKind::kSourceLag);
  EXPECT_GT(run.after.max_pending, run.before.max_pending + 10'000);
  EXPECT_GT(
      MinOf(run.fleet, 0, Scope::kOperator, "KafkaSourceReader_KafkaConsumer_records_lag_max"),
      10'000);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kSourceLag);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);

  run.fleet.AdvanceTo(kStart + 310'000);
  EXPECT_GT(Measure(run.fleet, 0).max_emit_lag, 120'000);  // minutes
  ASSERT_TRUE(run.fleet.SetFault(0, FaultKind::kSourceLag, false).ok());
  run.fleet.AdvanceTo(kStart + 1'000'000);
  EXPECT_LT(Measure(run.fleet, 0).max_pending, 1'000);
  EXPECT_LT(Measure(run.fleet, 0).max_emit_lag, 5'000);
}

TEST(FaultsTest, SkewSendsTenTimesTheRecordsToOneSubtask) {
  FaultRun run = RunWithFault(FaultKind::kSkew);
  std::vector<double> rates = run.after.keyed_rates;
  std::sort(rates.begin(), rates.end());
  const double hot = rates.back();
  for (size_t i = 0; i + 1 < rates.size(); ++i) {
    EXPECT_GT(hot / rates[i], 8);
    EXPECT_LT(hot / rates[i], 12);
  }
  EXPECT_GT(run.after.skew_percent, 50);
  ExpectHealthyExcept(run.before, run.after, 60, FaultKind::kSkew);
  ExpectHealthyExcept(run.control_before, run.control_after, 60, std::nullopt);
}

TEST(FaultsTest, SetFaultRejectsABadJobIndex) {
  Fleet fleet = MakeFleet(TwoJobs());
  EXPECT_EQ(fleet.SetFault(2, FaultKind::kSkew, true).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fleet.SetFault(-1, FaultKind::kSkew, true).code(), absl::StatusCode::kInvalidArgument);
}

TEST(FaultsTest, FaultNamesRoundTrip) {
  for (FaultKind kind : kAllFaultKinds) {
    auto parsed = ParseFaultKind(FaultKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_FALSE(ParseFaultKind("backpresure").ok());
}

}  // namespace
}  // namespace vitals::sim::testing
