// The job status gauges and the job lifecycle, as Flink registers and
// drives them: JobStatusMetrics (1.15+, `metrics.job.status.enable`),
// UpTimeGauge and DownTimeGauge (1.10–1.19), and a job's end through
// Fleet::EndJob.

#include "sim/job_status.h"

#include <map>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"
#include "sim/truth.h"
#include "test/unit/sim/prom_text_checker.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr char kJob[] = "flink_jobmanager_job_";

FleetSpec OneJob(FlinkVersion version = FlinkVersion::k1_17) {
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  spec.version = version;
  return spec;
}

// The jobmanager_job samples the JobManager pushes, by family name minus
// `flink_jobmanager_job_`, checked to be Flink-shaped text.
std::map<std::string, double> JobManagerJobSamples(const Fleet& fleet, int job = 0) {
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  std::map<std::string, double> out;
  const SimJob& sim_job = fleet.jobs()[job];
  for (const Push& push : pushes) {
    auto families = CheckPromText(push.body);
    EXPECT_TRUE(families.ok()) << families.status();
    if (!families.ok()) continue;
    for (const PromFamily& family : *families) {
      if (family.name.rfind(kJob, 0) != 0) continue;
      for (const PromSample& sample : family.samples) {
        if (sample.Label("job_id") != sim_job.id) continue;
        EXPECT_TRUE(out.emplace(family.name.substr(sizeof(kJob) - 1), sample.value).second)
            << family.name;
      }
    }
  }
  return out;
}

// The six statuses JobStatusMetrics registers gauges for (not terminal,
// not RECONCILING), and the five it does not.
constexpr const char* kWithGauges[] = {"initializing", "created",    "running",
                                       "failing",      "cancelling", "restarting"};
constexpr const char* kWithout[] = {"failed", "canceled", "finished", "suspended", "reconciling"};

TEST(JobStatusTest, StatusPredicatesFollowFlinksJobStatus) {
  // JobStatus.isTerminalState(): GLOBALLY and LOCALLY terminal ones.
  std::set<std::string> terminal;
  std::set<std::string> with_gauges;
  for (int s = 0; s < kNumJobStatuses; ++s) {
    const JobStatus status = static_cast<JobStatus>(s);
    if (IsTerminal(status)) terminal.insert(std::string(kJobStatusNames[s]));
    if (HasStatusMetrics(status)) with_gauges.insert(std::string(kJobStatusNames[s]));
  }
  EXPECT_EQ(terminal, (std::set<std::string>{"failed", "canceled", "finished", "suspended"}));
  EXPECT_EQ(with_gauges, std::set<std::string>(std::begin(kWithGauges), std::end(kWithGauges)));
  EXPECT_EQ(JobStatusName(JobStatus::kCancelling), "CANCELLING");
  EXPECT_EQ(JobStatusName(JobStatus::kReconciling), "RECONCILING");
}

TEST(JobStatusTest, MetricSetParsesFlinksEnumNames) {
  // MetricOptions.JOB_STATUS_METRICS defaults to CURRENT_TIME alone.
  EXPECT_EQ(JobStatusMetricSet(), JobStatusMetricSet({JobStatusMetric::kCurrentTime}));
  EXPECT_EQ(JobStatusMetricSet().ToString(), "current_time");
  auto parsed = JobStatusMetricSet::Parse("state, TOTAL_TIME");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->Has(JobStatusMetric::kState));
  EXPECT_FALSE(parsed->Has(JobStatusMetric::kCurrentTime));
  EXPECT_TRUE(parsed->Has(JobStatusMetric::kTotalTime));
  EXPECT_EQ(parsed->ToString(), "state,total_time");
  // Flink's own list separator.
  EXPECT_EQ(*JobStatusMetricSet::Parse("STATE;CURRENT_TIME;TOTAL_TIME"),
            JobStatusMetricSet({JobStatusMetric::kState, JobStatusMetric::kCurrentTime,
                                JobStatusMetric::kTotalTime}));
  EXPECT_TRUE(JobStatusMetricSet::Parse("")->empty());
  auto bad = JobStatusMetricSet::Parse("state,uptime");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("\"uptime\""), std::string::npos);
}

// JobStatusMetrics under the default metrics.job.status.enable
// (CURRENT_TIME): `<status>Time` for the six non-terminal statuses but
// RECONCILING, the current one counting, the others 0 and still reported.
TEST(JobStatusTest, DefaultSettingsReportCurrentTimeGaugesOnly) {
  for (FlinkVersion version : {FlinkVersion::k1_17, FlinkVersion::k1_19, FlinkVersion::k2_0}) {
    SCOPED_TRACE(FlinkVersionName(version));
    Fleet fleet = MakeFleet(OneJob(version));
    fleet.AdvanceTo(kStart + 10'000);
    const std::map<std::string, double> job = JobManagerJobSamples(fleet);
    ASSERT_TRUE(job.count("runningTime"));
    EXPECT_EQ(job.at("runningTime"), 10'000);
    for (const char* status : kWithGauges) {
      const std::string name = std::string(status) + "Time";
      ASSERT_TRUE(job.count(name)) << name;
      if (name != "runningTime") {
        EXPECT_EQ(job.at(name), 0) << name;
      }
      EXPECT_FALSE(job.count(std::string(status) + "State")) << status;
      EXPECT_FALSE(job.count(std::string(status) + "TimeTotal")) << status;
    }
    for (const char* status : kWithout) {
      EXPECT_FALSE(job.count(std::string(status) + "Time")) << status;
      EXPECT_FALSE(job.count(std::string(status) + "State")) << status;
      EXPECT_FALSE(job.count(std::string(status) + "TimeTotal")) << status;
    }
  }
}

TEST(JobStatusTest, NoJobStatusGaugesBefore115) {
  Fleet fleet = MakeFleet(OneJob(FlinkVersion::k1_14));
  fleet.AdvanceTo(kStart + 10'000);
  const std::map<std::string, double> job = JobManagerJobSamples(fleet);
  EXPECT_FALSE(job.count("runningTime"));
  EXPECT_EQ(job.at("uptime"), 10'000);
  EXPECT_EQ(job.at("downtime"), 0);
}

// A `restarts` fault: RUNNING → RESTARTING → RUNNING (a global failover).
TEST(JobStatusTest, RestartingTimeCountsDuringARestart) {
  FleetSpec spec = OneJob();
  Fleet fleet = MakeFleet(spec);
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kRestarts, true).ok());
  // The first failure comes restart_interval_ms (20 s) after the fault;
  // the restart takes restart_duration_ms (3 s).
  fleet.AdvanceTo(kStart + 21'500);
  ASSERT_EQ(fleet.jobs()[0].status, JobStatus::kRestarting);
  std::map<std::string, double> job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("restartingTime"), 1'500);
  EXPECT_EQ(job.at("runningTime"), 0);
  // UpTimeGauge: not running, not terminal. DownTimeGauge: FAILING was
  // never entered after RUNNING, so the restart reads 0.
  EXPECT_EQ(job.at("uptime"), 0);
  EXPECT_EQ(job.at("downtime"), 0);

  fleet.AdvanceTo(kStart + 25'000);
  ASSERT_EQ(fleet.jobs()[0].status, JobStatus::kRunning);
  job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("restartingTime"), 0);
  EXPECT_EQ(job.at("runningTime"), 2'000);
  EXPECT_EQ(job.at("uptime"), 2'000);
}

// STATE and TOTAL_TIME without CURRENT_TIME: `<status>State` is 1 for the
// current status, `<status>TimeTotal` adds up every stint, the current one
// included.
TEST(JobStatusTest, StateAndTotalTimeGaugesAcrossARestart) {
  FleetSpec spec = OneJob(FlinkVersion::k1_19);
  spec.job_status_metrics = {JobStatusMetric::kState, JobStatusMetric::kTotalTime};
  Fleet fleet = MakeFleet(spec);
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kRestarts, true).ok());

  fleet.AdvanceTo(kStart + 10'000);
  std::map<std::string, double> job = JobManagerJobSamples(fleet);
  for (const char* status : kWithGauges) {
    EXPECT_TRUE(job.count(std::string(status) + "State")) << status;
    EXPECT_TRUE(job.count(std::string(status) + "TimeTotal")) << status;
    EXPECT_FALSE(job.count(std::string(status) + "Time")) << status;
  }
  EXPECT_EQ(job.at("runningState"), 1);
  EXPECT_EQ(job.at("restartingState"), 0);
  EXPECT_EQ(job.at("runningTimeTotal"), 10'000);
  EXPECT_EQ(job.at("restartingTimeTotal"), 0);
  // INITIALIZING and CREATED passed at the start, in no time.
  EXPECT_EQ(job.at("initializingTimeTotal"), 0);
  EXPECT_EQ(job.at("createdTimeTotal"), 0);

  fleet.AdvanceTo(kStart + 21'000);  // failed at +20 s
  job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("runningState"), 0);
  EXPECT_EQ(job.at("restartingState"), 1);
  EXPECT_EQ(job.at("runningTimeTotal"), 20'000);
  EXPECT_EQ(job.at("restartingTimeTotal"), 1'000);

  fleet.AdvanceTo(kStart + 30'000);  // running again since +23 s
  job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("runningState"), 1);
  EXPECT_EQ(job.at("restartingState"), 0);
  EXPECT_EQ(job.at("runningTimeTotal"), 27'000);
  EXPECT_EQ(job.at("restartingTimeTotal"), 3'000);
  EXPECT_EQ(job.at("failingTimeTotal"), 0);

  fleet.AdvanceTo(kStart + 50'000);  // second failure at +43 s, back at +46 s
  job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("runningTimeTotal"), 44'000);
  EXPECT_EQ(job.at("restartingTimeTotal"), 6'000);
  EXPECT_EQ(job.at("numRestarts"), 2);
}

// Fleet::EndJob(kCanceled): RUNNING → CANCELLING (cancel_duration_ms) →
// CANCELED; terminal, every status gauge reads 0 and UpTimeGauge /
// DownTimeGauge -1, until the metric group closes (terminal_linger_ms) and
// the application cluster's processes shut down.
TEST(JobStatusTest, CancelGoesThroughCancellingThenRetiresTheCluster) {
  FleetSpec spec = OneJob();
  spec.jobs = 2;
  spec.cancel_duration_ms = 15'000;
  spec.terminal_linger_ms = 5'000;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> before;
  RenderPushes(fleet, &before);
  ASSERT_EQ(before.size(), 6u);

  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kCanceled).ok());
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kCancelling);
  fleet.AdvanceTo(kStart + 12'000);
  std::map<std::string, double> job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("cancellingTime"), 2'000);
  EXPECT_EQ(job.at("runningTime"), 0);
  EXPECT_EQ(job.at("uptime"), 0);
  EXPECT_EQ(job.at("downtime"), 0);
  // The tasks are being cancelled: no task or operator metrics.
  EXPECT_EQ(CountOf(fleet, 0, Scope::kTask, "numRecordsIn"), 0u);
  EXPECT_EQ(CountOf(fleet, 0, Scope::kOperator, "numRecordsIn"), 0u);
  EXPECT_GT(CountOf(fleet, 1, Scope::kTask, "numRecordsIn"), 0u);

  fleet.AdvanceTo(kStart + 25'000);
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kCanceled);
  fleet.AdvanceTo(kStart + 29'999);
  job = JobManagerJobSamples(fleet);
  for (const char* status : kWithGauges) {
    EXPECT_EQ(job.at(std::string(status) + "Time"), 0) << status;
  }
  EXPECT_FALSE(job.count("canceledTime"));
  EXPECT_EQ(job.at("uptime"), -1);
  EXPECT_EQ(job.at("downtime"), -1);
  // The Dispatcher still has the job: numRunningJobs counts it until it
  // is cleaned up.
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManager, "numRunningJobs"), 1);
  EXPECT_TRUE(fleet.TakeRetired().empty());

  fleet.AdvanceTo(kStart + 30'000);
  EXPECT_TRUE(fleet.jobs()[0].closed);
  EXPECT_TRUE(fleet.jobs()[0].processes.empty());
  const std::vector<RetiredProcess> retired = fleet.TakeRetired();
  ASSERT_EQ(retired.size(), 3u);
  std::vector<Push> deletes;
  AppendPushDeletes(fleet, retired, &deletes);
  std::vector<Push> after;
  RenderPushes(fleet, &after);
  ASSERT_EQ(after.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(deletes[i].method, "DELETE");
    EXPECT_EQ(deletes[i].path, before[i].path);
    // Job 1 keeps reporting.
    EXPECT_EQ(after[i].path, before[3 + i].path);
  }
  EXPECT_TRUE(JobManagerJobSamples(fleet, 0).empty());
  EXPECT_EQ(CountOf(fleet, 0, Scope::kJobManager, "numRunningJobs"), 0u);
}

TEST(JobStatusTest, UptimeIsMinusOneOnceCanceledIn114) {
  FleetSpec spec = OneJob(FlinkVersion::k1_14);
  spec.cancel_duration_ms = 0;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kCanceled).ok());
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kCanceled);
  const std::map<std::string, double> job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("uptime"), -1);
  EXPECT_EQ(job.at("downtime"), -1);
}

// EndJob(kFailed): RUNNING → FAILING (fail_duration_ms) → FAILED.
// DownTimeGauge counts from FAILING, entered after RUNNING last was.
TEST(JobStatusTest, FailGoesThroughFailing) {
  FleetSpec spec = OneJob();
  spec.fail_duration_ms = 5'000;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kFailed).ok());
  fleet.AdvanceTo(kStart + 13'000);
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kFailing);
  std::map<std::string, double> job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("failingTime"), 3'000);
  EXPECT_EQ(job.at("downtime"), 3'000);
  EXPECT_EQ(job.at("uptime"), 0);
  fleet.AdvanceTo(kStart + 15'000);
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kFailed);
  job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("failingTime"), 0);
  EXPECT_EQ(job.at("downtime"), -1);
  EXPECT_EQ(job.at("uptime"), -1);
}

// EndJob(kFinished): RUNNING → FINISHED at once; the tasks are gone and
// their slots free.
TEST(JobStatusTest, FinishedJobLosesItsTasksAtOnce) {
  FleetSpec spec = OneJob();
  spec.job_status_metrics = {JobStatusMetric::kState, JobStatusMetric::kTotalTime};
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManager, "taskSlotsAvailable"), 0);
  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kFinished).ok());
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kFinished);
  EXPECT_EQ(CountOf(fleet, 0, Scope::kTask, "numRecordsIn"), 0u);
  EXPECT_EQ(CountOf(fleet, 0, Scope::kTaskManagerJob,
                    "latency_source_id_operator_id_operator_"
                    "subtask_index_latency"),
            0u);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManager, "taskSlotsAvailable"),
            SumOf(fleet, 0, Scope::kJobManager, "taskSlotsTotal"));
  fleet.AdvanceTo(kStart + 12'000);
  const std::map<std::string, double> job = JobManagerJobSamples(fleet);
  EXPECT_EQ(job.at("runningState"), 0);
  EXPECT_EQ(job.at("runningTimeTotal"), 10'000);
  EXPECT_FALSE(job.count("finishedState"));
  EXPECT_EQ(job.at("numberOfCompletedCheckpoints"), 1);
  fleet.AdvanceTo(kStart + 15'000);
  EXPECT_TRUE(fleet.jobs()[0].closed);
  EXPECT_EQ(fleet.TakeRetired().size(), 3u);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  EXPECT_TRUE(pushes.empty());
}

TEST(JobStatusTest, EndJobChecksTheStatus) {
  FleetSpec spec = OneJob();
  spec.jobs = 2;
  Fleet fleet = MakeFleet(spec);
  EXPECT_EQ(fleet.EndJob(2, JobEnd::kCanceled).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(fleet.SetFault(1, FaultKind::kRestarts, true).ok());
  fleet.AdvanceTo(kStart + 21'000);
  ASSERT_EQ(fleet.jobs()[1].status, JobStatus::kRestarting);
  // Only running tasks can all finish; ExecutionGraph.cancel() takes a
  // RESTARTING job to CANCELLING.
  const absl::Status finish = fleet.EndJob(1, JobEnd::kFinished);
  EXPECT_EQ(finish.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(finish.message()).find("RESTARTING"), std::string::npos) << finish;
  ASSERT_TRUE(fleet.EndJob(1, JobEnd::kCanceled).ok());
  EXPECT_EQ(fleet.jobs()[1].status, JobStatus::kCancelling);
  // No more failures once cancelling.
  fleet.AdvanceTo(kStart + 100'000);
  EXPECT_EQ(fleet.jobs()[1].restarts, 1);
  EXPECT_EQ(fleet.EndJob(1, JobEnd::kFailed).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kFinished).ok());
  EXPECT_EQ(fleet.EndJob(0, JobEnd::kCanceled).code(), absl::StatusCode::kFailedPrecondition);
}

// A job that ended can be submitted again (Redeploy): a new job id, RUNNING,
// on new processes.
TEST(JobStatusTest, RedeployResubmitsAnEndedJob) {
  Fleet fleet = MakeFleet(OneJob());
  fleet.AdvanceTo(kStart + 10'000);
  const std::string old_id = fleet.jobs()[0].id;
  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kFinished).ok());
  fleet.AdvanceTo(kStart + 60'000);
  ASSERT_TRUE(fleet.jobs()[0].closed);
  EXPECT_EQ(fleet.TakeRetired().size(), 3u);
  ASSERT_TRUE(fleet.Redeploy(0, "k8s-prod-eu").ok());
  EXPECT_TRUE(fleet.TakeRetired().empty());
  const SimJob& job = fleet.jobs()[0];
  EXPECT_FALSE(job.closed);
  EXPECT_EQ(job.status, JobStatus::kRunning);
  EXPECT_NE(job.id, old_id);
  EXPECT_EQ(job.processes.size(), 3u);
  fleet.AdvanceTo(kStart + 70'000);
  EXPECT_EQ(JobManagerJobSamples(fleet).at("runningTime"), 10'000);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManager, "numRunningJobs"), 1);
}

}  // namespace
}  // namespace vitals::sim::testing
