// The job's lifecycle from Flink's job-status gauges. Expected values come
// from Flink's sources:
//  - JobStatusMetrics (flink-runtime, scheduler/metrics, 1.15+): gauges
//    only for non-terminal statuses other than RECONCILING, named
//    `status.name().toLowerCase() + "State" | "Time" | "TimeTotal"`;
//    `<s>State` is 1 while current, `<s>Time` the ms since entering it while
//    current and 0 otherwise, `<s>TimeTotal` the ms spent in it so far.
//  - MetricOptions.JOB_STATUS_METRICS (`metrics.job.status.enable`):
//    defaults to CURRENT_TIME alone.
//  - UpTimeGauge / DownTimeGauge (executiongraph/metrics, before 2.0):
//    uptime is the ms since RUNNING while running, -1 once terminal, else
//    0; downtime the ms since FAILING while failing, -1 once terminal, 0
//    while running or when the job never failed since it last ran.

#include "scorer/dimensions/job_lifecycle.h"

#include "gtest/gtest.h"
#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::IntervalBuilder;
using testing::kInterval;
using testing::kT0;

constexpr auto kGauge = v1::METRIC_KIND_GAUGE;

// The time samples of interval i carry (IntervalBuilder's).
int64_t SampleTime(int i) { return kT0 + (i + 1) * kInterval - 1; }

TEST(JobLifecycleTest, CurrentTimeGaugesByDefaultNameTheStateAndItsStart) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0).JobStatusTimes("running", 3'600'000).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);
  EXPECT_EQ(JobLifecycleName(t.state()), "running");
  EXPECT_EQ(t.since_ms(), SampleTime(0) - 3'600'000);
  EXPECT_DOUBLE_EQ(t.running_share(), 1.0);
  // Seen running for an hour: no fresh start to warm up from... but it is
  // a (first) entry into RUNNING, an hour ago.
  EXPECT_EQ(t.entered_running_at_ms(), SampleTime(0) - 3'600'000);
  EXPECT_EQ(t.entered_running_from(), JobLifecycle::kNotReporting);

  t.Observe(IntervalBuilder(1).JobStatusTimes("running", 3'610'000).Build());
  EXPECT_EQ(t.entered_running_at_ms(), -1);
  EXPECT_EQ(t.since_ms(), SampleTime(0) - 3'600'000);
}

TEST(JobLifecycleTest, RestartingThenRunningAgain) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0).JobStatusTimes("running", 600'000).Build());
  t.Observe(IntervalBuilder(1).JobStatusTimes("restarting", 4'000).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRestarting);
  EXPECT_EQ(t.since_ms(), SampleTime(1) - 4'000);
  EXPECT_DOUBLE_EQ(t.running_share(), 0.0);
  t.Observe(IntervalBuilder(2).JobStatusTimes("running", 3'000).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);
  EXPECT_EQ(t.since_ms(), SampleTime(2) - 3'000);
  EXPECT_EQ(t.entered_running_at_ms(), SampleTime(2) - 3'000);
  EXPECT_EQ(t.entered_running_from(), JobLifecycle::kRestarting);
  EXPECT_NEAR(t.running_share(), 0.3, 1e-9);
}

TEST(JobLifecycleTest, ARestartBetweenTwoReportsShowsAsARunningTimeStartedOver) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0).JobStatusTimes("running", 600'000).Build());
  t.Observe(IntervalBuilder(1).JobStatusTimes("running", 610'000).Build());
  EXPECT_EQ(t.entered_running_at_ms(), -1);
  // A push replayed at a later boundary moves the estimate by an interval:
  // no restart.
  t.Observe(IntervalBuilder(2).JobStatusTimes("running", 610'000).Build());
  EXPECT_EQ(t.entered_running_at_ms(), -1);
  t.Observe(IntervalBuilder(3).JobStatusTimes("running", 2'000).Build());
  EXPECT_EQ(t.entered_running_at_ms(), SampleTime(3) - 2'000);
  EXPECT_EQ(t.entered_running_from(), JobLifecycle::kRunning);
}

TEST(JobLifecycleTest, StateGaugesWhenEnabled) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0)
                .Job("initializingState", kGauge, 0)
                .Job("createdState", kGauge, 0)
                .Job("runningState", kGauge, 0)
                .Job("failingState", kGauge, 1)
                .Job("cancellingState", kGauge, 0)
                .Job("restartingState", kGauge, 0)
                .Build());
  EXPECT_EQ(t.state(), JobLifecycle::kFailing);
  EXPECT_EQ(t.since_ms(), kT0);  // no Time gauge: from the interval seen in
}

TEST(JobLifecycleTest, StateAndTimeTogetherTakeTheStartFromTime) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0)
                .Job("runningState", kGauge, 1)
                .Job("restartingState", kGauge, 0)
                .JobStatusTimes("running", 42'000)
                .Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);
  EXPECT_EQ(t.since_ms(), SampleTime(0) - 42'000);
}

TEST(JobLifecycleTest, TotalTimeAloneTellsTheStateByWhichTotalGrows) {
  JobLifecycleTracker t;
  auto totals = [](int i, double running, double restarting) {
    return IntervalBuilder(i)
        .Job("initializingTimeTotal", kGauge, 100)
        .Job("createdTimeTotal", kGauge, 50)
        .Job("runningTimeTotal", kGauge, running)
        .Job("failingTimeTotal", kGauge, 0)
        .Job("cancellingTimeTotal", kGauge, 0)
        .Job("restartingTimeTotal", kGauge, restarting)
        .Build();
  };
  t.Observe(totals(0, 500'000, 20'000));
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);  // first sight: the largest total
  t.Observe(totals(1, 500'000, 30'000));
  EXPECT_EQ(t.state(), JobLifecycle::kRestarting);
  t.Observe(totals(2, 507'000, 33'000));
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);
  t.Observe(totals(3, 507'000, 33'000));  // nothing grows: terminal
  EXPECT_EQ(t.state(), JobLifecycle::kFinished);
}

TEST(JobLifecycleTest, TerminalStatesAreInferredFromTheStateBefore) {
  struct Case {
    std::string_view before;
    JobLifecycle after;
  };
  for (const Case& c :
       {Case{"cancelling", JobLifecycle::kCanceled}, Case{"failing", JobLifecycle::kFailed},
        Case{"restarting", JobLifecycle::kFailed}, Case{"running", JobLifecycle::kFinished}}) {
    JobLifecycleTracker t;
    t.Observe(IntervalBuilder(0).JobStatusTimes(c.before, 5'000).Build());
    t.Observe(IntervalBuilder(1).JobStatusTimes("", 0).Build());
    EXPECT_EQ(t.state(), c.after) << c.before;
    EXPECT_EQ(t.since_ms(), kT0 + kInterval) << c.before;
    EXPECT_TRUE(IsTerminal(t.state()));
    // Its gauges go soon after: the job stays ended, not "not reporting".
    for (int i = 2; i < 8; ++i) t.Observe(IntervalBuilder(i).Build());
    EXPECT_EQ(t.state(), c.after) << c.before;
  }
  EXPECT_TRUE(EndedOnPurpose(JobLifecycle::kCanceled));
  EXPECT_TRUE(EndedOnPurpose(JobLifecycle::kFinished));
  EXPECT_FALSE(EndedOnPurpose(JobLifecycle::kFailed));
}

TEST(JobLifecycleTest, CancelledTimeIsNeitherRunningNorDown) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0).JobStatusTimes("cancelling", 1'000).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kCancelling);
  EXPECT_TRUE(std::isnan(t.running_share()));
  t.Observe(IntervalBuilder(1).JobStatusTimes("", 0).Build());
  EXPECT_TRUE(std::isnan(t.running_share()));
}

TEST(JobLifecycleTest, UptimeAndDowntimeBefore115) {
  JobLifecycleTracker t;
  // Not yet running: uptime 0, downtime 0 (never failed).
  t.Observe(IntervalBuilder(0).Job("uptime", kGauge, 0).Job("downtime", kGauge, 0).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kCreated);
  t.Observe(IntervalBuilder(1).Job("uptime", kGauge, 7'000).Job("downtime", kGauge, 0).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);
  EXPECT_EQ(t.since_ms(), SampleTime(1) - 7'000);
  EXPECT_EQ(t.entered_running_from(), JobLifecycle::kCreated);
  // Failing: downtime counts from the FAILING timestamp.
  t.Observe(IntervalBuilder(2).Job("uptime", kGauge, 0).Job("downtime", kGauge, 2'500).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRestarting);
  EXPECT_EQ(t.since_ms(), SampleTime(2) - 2'500);
  // Restarting without a FAILING phase: downtime stays 0.
  t.Observe(IntervalBuilder(3).Job("uptime", kGauge, 9'000).Job("downtime", kGauge, 0).Build());
  t.Observe(IntervalBuilder(4).Job("uptime", kGauge, 0).Job("downtime", kGauge, 0).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRestarting);
  // Terminal: both -1.
  t.Observe(IntervalBuilder(5).Job("uptime", kGauge, -1).Job("downtime", kGauge, -1).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kFailed);
}

TEST(JobLifecycleTest, SilenceTurnsIntoNotReportingAfterSomeIntervals) {
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kNotReporting);
  EXPECT_EQ(t.since_ms(), kT0);
  t.Observe(IntervalBuilder(1).JobStatusTimes("running", 600'000).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kRunning);
  for (int i = 2; i < 2 + JobLifecycleTracker::kSilentIntervals - 1; ++i) {
    t.Observe(IntervalBuilder(i).Build());
    EXPECT_EQ(t.state(), JobLifecycle::kRunning) << "one late JobManager batch flips nothing";
  }
  t.Observe(IntervalBuilder(1 + JobLifecycleTracker::kSilentIntervals).Build());
  EXPECT_EQ(t.state(), JobLifecycle::kNotReporting);
  EXPECT_EQ(t.since_ms(), kT0 + 2 * kInterval);  // from the first silent interval
}

TEST(JobLifecycleTest, TaskManagerGaugesOfTheSameNameAreNotTheJobs) {
  // Only the JobManager's job scope carries the job status.
  JobLifecycleTracker t;
  t.Observe(IntervalBuilder(0)
                .Add(v1::SCOPE_TASKMANAGER_JOB_TASK, "runningTime", kGauge, {5'000})
                .Build());
  EXPECT_EQ(t.state(), JobLifecycle::kNotReporting);
}

}  // namespace
}  // namespace vitals::scorer
