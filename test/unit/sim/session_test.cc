// Session clusters (FleetSpec::session_jobs): several jobs on one
// JobManager and one set of TaskManagers, each process reporting once per
// interval its own metrics and those of every job it hosts, as Flink's
// reporters do (one reporter per process; PrometheusReporter holds one
// collector per metric name, so families merge across jobs).

#include <map>
#include <regex>
#include <set>

#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "sim/influx.h"
#include "sim/pushgateway.h"
#include "sim/scrape.h"
#include "sim/statsd.h"
#include "sim/truth.h"
#include "test/unit/sim/prom_text_checker.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

FleetSpec Session(int jobs = 3) {
  FleetSpec spec;
  spec.jobs = jobs;
  spec.session_jobs = 3;
  spec.task_managers = 2;
  spec.parallelism = 4;
  spec.start_ms = kStart;
  return spec;
}

// family name → samples, for one Prometheus text body.
std::map<std::string, std::vector<PromSample>> Families(const std::string& body) {
  auto families = CheckPromText(body);
  EXPECT_TRUE(families.ok()) << families.status();
  std::map<std::string, std::vector<PromSample>> out;
  if (!families.ok()) return out;
  for (PromFamily& family : *families) out[family.name] = std::move(family.samples);
  return out;
}

std::set<std::string> JobIds(const std::map<std::string, std::vector<PromSample>>& families) {
  std::set<std::string> ids;
  for (const auto& [name, samples] : families) {
    for (const PromSample& sample : samples) {
      if (!sample.Label("job_id").empty()) ids.insert(sample.Label("job_id"));
    }
  }
  return ids;
}

TEST(SessionTest, JobsShareOneClusterOfProcesses) {
  Fleet fleet = MakeFleet(Session());
  ASSERT_EQ(fleet.flink_clusters().size(), 1u);
  const FlinkCluster& cluster = fleet.flink_clusters()[0];
  EXPECT_TRUE(cluster.session);
  EXPECT_EQ(cluster.jobs, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(cluster.cluster, "k8s-prod-eu");
  ASSERT_EQ(cluster.processes.size(), 3u);
  std::set<std::string> job_ids;
  for (const SimJob& job : fleet.jobs()) {
    EXPECT_EQ(job.flink_cluster, 0);
    // The session's label, though jobs are otherwise spread over clusters.
    EXPECT_EQ(job.cluster, "k8s-prod-eu");
    ASSERT_EQ(job.processes.size(), 3u);
    for (size_t p = 0; p < 3; ++p) EXPECT_EQ(job.processes[p].uid, cluster.processes[p].uid);
    job_ids.insert(job.id);
  }
  EXPECT_EQ(job_ids.size(), 3u);
  // 12 subtask slots over 2 TaskManagers, each job taking the next 4.
  EXPECT_EQ(fleet.jobs()[0].subtask_process, (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(fleet.jobs()[1].subtask_process, (std::vector<int>{1, 1, 2, 2}));
  EXPECT_EQ(fleet.jobs()[2].subtask_process, (std::vector<int>{2, 2, 2, 2}));
  EXPECT_EQ(cluster.processes[1].tm_id, "session-000-taskmanager-1-1");
  // The JobManager's cluster gauges (Dispatcher, ResourceManager).
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "numRunningJobs"), 3);
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "numRegisteredTaskManagers"), 2);
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "taskSlotsTotal"), 12);
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "taskSlotsAvailable"), 0);
}

TEST(SessionTest, EachProcessPushesOnceWithEveryJobItHosts) {
  FleetSpec spec = Session();
  spec.job_status_metrics = {JobStatusMetric::kState, JobStatusMetric::kCurrentTime,
                             JobStatusMetric::kTotalTime};
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  // One push per physical process: 1 JobManager + 2 TaskManagers.
  ASSERT_EQ(pushes.size(), 3u);
  std::set<std::string> paths;
  for (const Push& push : pushes) paths.insert(push.path);
  EXPECT_EQ(paths.size(), 3u);

  std::set<std::string> all_ids;
  for (const SimJob& job : fleet.jobs()) all_ids.insert(job.id);
  const auto jm = Families(pushes[0].body);
  EXPECT_EQ(JobIds(jm), all_ids);
  // One family per name, all three jobs under it.
  ASSERT_EQ(jm.at("flink_jobmanager_job_numRestarts").size(), 3u);
  ASSERT_EQ(jm.at("flink_jobmanager_job_runningTimeTotal").size(), 3u);
  ASSERT_EQ(jm.at("flink_jobmanager_numRunningJobs").size(), 1u);
  ASSERT_EQ(jm.at("flink_jobmanager_Status_JVM_CPU_Load").size(), 1u);

  std::set<std::string> tm_ids;
  for (size_t p = 1; p < 3; ++p) {
    const auto tm = Families(pushes[p].body);
    // The JVM's families once, with the one TaskManager series each.
    for (const char* family :
         {"flink_taskmanager_Status_JVM_CPU_Load", "flink_taskmanager_Status_JVM_Memory_Heap_Used",
          "flink_taskmanager_Status_JVM_GarbageCollector_G1_Old_Generation_Time",
          "flink_taskmanager_Status_Shuffle_Netty_AvailableMemorySegments",
          "flink_taskmanager_Status_Flink_Memory_Managed_Total"}) {
      ASSERT_TRUE(tm.count(family)) << family;
      EXPECT_EQ(tm.at(family).size(), 1u) << family;
    }
    for (const std::string& id : JobIds(tm)) tm_ids.insert(id);
  }
  // TaskManager 1 runs jobs 0 and 1, TaskManager 2 jobs 1 and 2.
  EXPECT_EQ(JobIds(Families(pushes[1].body)),
            (std::set<std::string>{fleet.jobs()[0].id, fleet.jobs()[1].id}));
  EXPECT_EQ(JobIds(Families(pushes[2].body)),
            (std::set<std::string>{fleet.jobs()[1].id, fleet.jobs()[2].id}));
  EXPECT_EQ(tm_ids, all_ids);
  const auto tm1 = Families(pushes[1].body);
  // Job 0's 4 subtasks and job 1's first 2, for each of the 2 tasks.
  EXPECT_EQ(tm1.at("flink_taskmanager_job_task_numRecordsIn").size(), 12u);
}

TEST(SessionTest, EveryFormatReportsEachProcessOnce) {
  Fleet fleet = MakeFleet(Session(5));
  fleet.AdvanceTo(kStart + 10'000);
  // Sessions of 3 and 2 jobs.
  ASSERT_EQ(fleet.flink_clusters().size(), 2u);
  EXPECT_EQ(fleet.flink_clusters()[1].jobs, (std::vector<int>{3, 4}));
  EXPECT_TRUE(fleet.flink_clusters()[1].session);
  // A session takes its first job's label: job 3's, the second cluster label.
  EXPECT_EQ(fleet.jobs()[4].cluster, "yarn-prod-1");

  std::vector<Push> pushes;
  std::vector<ScrapeBody> scrapes;
  std::vector<StatsdDatagram> datagrams;
  std::vector<InfluxWrite> writes;
  RenderPushes(fleet, &pushes);
  RenderScrapes(fleet, &scrapes);
  RenderStatsd(fleet, &datagrams);
  RenderInflux(fleet, &writes);
  ASSERT_EQ(pushes.size(), 6u);
  ASSERT_EQ(scrapes.size(), 6u);
  ASSERT_EQ(writes.size(), 6u);
  for (size_t i = 0; i < scrapes.size(); ++i) {
    EXPECT_EQ(scrapes[i].body, pushes[i].body);
    EXPECT_EQ(scrapes[i].flink_cluster, i < 3 ? 0 : 1);
    EXPECT_EQ(scrapes[i].job, i < 3 ? 0 : 3);
    EXPECT_TRUE(Families(pushes[i].body).size() > 10u);
  }
  // StatsD: one stream per process, never mixed within a datagram.
  std::map<uint64_t, std::string> first_line;
  for (const StatsdDatagram& d : datagrams) {
    first_line.emplace(d.process_uid, d.payload.substr(0, d.payload.find('\n')));
  }
  ASSERT_EQ(first_line.size(), 6u);
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    for (const SimProcess& process : cluster.processes) {
      ASSERT_TRUE(first_line.count(process.uid));
      // A process's report starts with its own CPU load.
      EXPECT_NE(first_line[process.uid].find(".Status.JVM.CPU.Load:"), std::string::npos);
      EXPECT_EQ(first_line[process.uid].rfind(process.host, 0), 0u);
    }
  }
  // Influx: the JobManager's write holds all its jobs' job metrics.
  for (const SimJob& job : fleet.jobs()) {
    const std::string& jm_write = writes[job.flink_cluster * 3].body;
    EXPECT_NE(jm_write.find("job_id=" + job.id), std::string::npos) << job.name;
  }
  EXPECT_EQ(InstanceCount(fleet) > 0, true);
}

TEST(SessionTest, ProcessFaultsOfAnyJobShowInItsTaskManagers) {
  FleetSpec spec = Session();
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  // Job 2 runs only on TaskManager 2; GC and CPU are the JVM's.
  ASSERT_TRUE(fleet.SetFault(2, FaultKind::kGcPressure, true).ok());
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kCpuSaturation, true).ok());
  fleet.AdvanceTo(kStart + 20'000);
  const std::string tm1 = fleet.flink_clusters()[0].processes[1].tm_id;
  const std::string tm2 = fleet.flink_clusters()[0].processes[2].tm_id;
  std::map<std::string, double> cpu;
  std::map<std::string, double> gc_rate;
  ForEachSample(fleet, [&](const TruthSample& s) {
    if (s.def->scope != Scope::kTaskManager) return;
    EXPECT_EQ(s.job, -1);
    if (s.def->canonical == "Status_JVM_CPU_Load") cpu[LabelOf(s, "tm_id")] = s.reading.number;
  });
  const Health before = Measure(fleet, 1);
  fleet.AdvanceTo(kStart + 30'000);
  const Health after = Measure(fleet, 1);
  for (const auto& [tm, time] : after.gc_time) gc_rate[tm] = (time - before.gc_time.at(tm)) / 10;
  EXPECT_GE(cpu[tm1], 0.95);
  EXPECT_LT(cpu[tm2], 0.6);
  EXPECT_GE(gc_rate[tm2], 250);
  EXPECT_LT(gc_rate[tm1], 50);
  // Job 1 runs on both: both TaskManagers' series are its to see.
  EXPECT_EQ(after.gc_time.size(), 2u);
}

TEST(SessionTest, RestartKeepsTheTaskManagersAndTheOtherJobsRunning) {
  FleetSpec spec = Session();
  Fleet fleet = MakeFleet(spec);
  const std::vector<SimProcess> processes = fleet.flink_clusters()[0].processes;
  ASSERT_TRUE(fleet.SetFault(1, FaultKind::kRestarts, true).ok());
  fleet.AdvanceTo(kStart + spec.restart_interval_ms + 1'000);
  EXPECT_EQ(fleet.jobs()[1].status, JobStatus::kRestarting);
  EXPECT_EQ(fleet.jobs()[1].restarts, 1);
  EXPECT_EQ(fleet.jobs()[0].status, JobStatus::kRunning);
  // No pod replacement in a session: the same processes.
  for (size_t p = 0; p < processes.size(); ++p) {
    EXPECT_EQ(fleet.flink_clusters()[0].processes[p].uid, processes[p].uid);
    EXPECT_EQ(fleet.flink_clusters()[0].processes[p].tm_id, processes[p].tm_id);
  }
  EXPECT_EQ(CountOf(fleet, 1, Scope::kTask, "numRecordsIn"), 0u);
  EXPECT_GT(CountOf(fleet, 0, Scope::kTask, "numRecordsIn"), 0u);
  EXPECT_GT(CountOf(fleet, 2, Scope::kTask, "numRecordsIn"), 0u);
  EXPECT_EQ(JobGauge(fleet, 1, "restartingTime"), 1'000);
  EXPECT_EQ(JobGauge(fleet, 0, "runningTime"), spec.restart_interval_ms + 1'000);
  fleet.AdvanceTo(kStart + spec.restart_interval_ms + spec.restart_duration_ms + 1'000);
  EXPECT_EQ(fleet.jobs()[1].attempt_number, 1);
  EXPECT_GT(CountOf(fleet, 1, Scope::kTask, "numRecordsIn"), 0u);
  EXPECT_TRUE(fleet.TakeRetired().empty());
}

TEST(SessionTest, RedeployIsRefusedInASession) {
  Fleet fleet = MakeFleet(Session());
  const absl::Status status = fleet.Redeploy(1, "k8s-prod-eu");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST(SessionTest, AnEndedJobLeavesTheSessionRunning) {
  FleetSpec spec = Session();
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  ASSERT_TRUE(fleet.EndJob(0, JobEnd::kFinished).ok());
  // Its slots are free at once; the Dispatcher counts it until it closes.
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "taskSlotsAvailable"), 4);
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "numRunningJobs"), 3);
  fleet.AdvanceTo(kStart + 10'000 + spec.terminal_linger_ms);
  EXPECT_TRUE(fleet.jobs()[0].closed);
  EXPECT_TRUE(fleet.jobs()[0].processes.empty());
  EXPECT_TRUE(fleet.TakeRetired().empty());
  EXPECT_EQ(SumOf(fleet, 1, Scope::kJobManager, "numRunningJobs"), 2);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  ASSERT_EQ(pushes.size(), 3u);
  EXPECT_EQ(JobIds(Families(pushes[0].body)),
            (std::set<std::string>{fleet.jobs()[1].id, fleet.jobs()[2].id}));
  // TaskManager 1 still reports, its JVM and job 1's subtasks.
  EXPECT_EQ(JobIds(Families(pushes[1].body)), (std::set<std::string>{fleet.jobs()[1].id}));
}

TEST(SessionTest, PushJobNamePlaceholderIsTheSessionsFirstJob) {
  FleetSpec spec = Session(6);
  spec.reporter.push_job_name = "{job_name}";
  Fleet fleet = MakeFleet(spec);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  ASSERT_EQ(pushes.size(), 6u);
  for (size_t i = 0; i < pushes.size(); ++i) {
    const std::string first = i < 3 ? "job-000" : "job-003";
    EXPECT_TRUE(std::regex_match(pushes[i].path,
                                 std::regex("/metrics/job/" + first + "[0-9a-f]{32}/cluster/.*")))
        << pushes[i].path;
  }
}

}  // namespace
}  // namespace vitals::sim::testing
