#include "sim/fleet.h"

#include <map>
#include <regex>
#include <set>

#include "gtest/gtest.h"
#include "sim/influx.h"
#include "sim/pushgateway.h"
#include "sim/statsd.h"
#include "sim/truth.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

FleetSpec Spec() {
  FleetSpec spec;
  spec.jobs = 4;
  spec.start_ms = kStart;
  return spec;
}

std::string AllPayloads(Fleet& fleet) {
  std::vector<Push> pushes;
  std::vector<StatsdDatagram> datagrams;
  std::vector<InfluxWrite> writes;
  RenderPushes(fleet, &pushes);
  RenderStatsd(fleet, &datagrams);
  RenderInflux(fleet, &writes);
  std::string all;
  for (const Push& p : pushes) all += p.node + p.path + p.body;
  for (const StatsdDatagram& d : datagrams) all += d.node + d.payload;
  for (const InfluxWrite& w : writes) all += w.node + w.body;
  return all;
}

TEST(FleetSpecTest, DefaultsAreValid) { EXPECT_TRUE(FleetSpec().Validate().ok()); }

// Flink's defaults: PrometheusPushGatewayReporterOptions jobName "" and
// randomJobNameSuffix true; MetricOptions.JOB_STATUS_METRICS CURRENT_TIME.
TEST(FleetSpecTest, ReporterDefaultsAreFlinks) {
  const FleetSpec spec;
  EXPECT_EQ(spec.reporter.push_job_name, "");
  EXPECT_TRUE(spec.reporter.random_job_name_suffix);
  EXPECT_EQ(spec.job_status_metrics, JobStatusMetricSet({JobStatusMetric::kCurrentTime}));
  EXPECT_EQ(spec.session_jobs, 1);
}

TEST(FleetSpecTest, ErrorsNameTheField) {
  struct Case {
    void (*mutate)(FleetSpec&);
    const char* field;
  } cases[] = {
      {[](FleetSpec& s) { s.jobs = 0; }, "jobs"},
      {[](FleetSpec& s) { s.session_jobs = 0; }, "session_jobs"},
      {[](FleetSpec& s) { s.cancel_duration_ms = -1; }, "cancel_duration_ms"},
      {[](FleetSpec& s) { s.fail_duration_ms = -1; }, "fail_duration_ms"},
      {[](FleetSpec& s) { s.terminal_linger_ms = -1; }, "terminal_linger_ms"},
      {[](FleetSpec& s) { s.nodes = 0; }, "nodes"},
      {[](FleetSpec& s) { s.parallelism = 0; }, "parallelism"},
      {[](FleetSpec& s) { s.task_managers = 0; }, "task_managers"},
      {[](FleetSpec& s) { s.operators = 0; }, "operators"},
      {[](FleetSpec& s) { s.chain_length = 0; }, "chain_length"},
      {[](FleetSpec& s) { s.job_name_prefix = "job/"; }, "job_name_prefix"},
      {[](FleetSpec& s) { s.clusters = {}; }, "clusters"},
      {[](FleetSpec& s) {
         s.clusters = {"k8s-a", "mesos-b"};
       },
       "clusters[1]"},
      {[](FleetSpec& s) { s.checkpoint_interval_ms = 0; }, "checkpoint_interval_ms"},
      {[](FleetSpec& s) { s.restart_duration_ms = s.restart_interval_ms; }, "restart_duration_ms"},
      {[](FleetSpec& s) { s.records_per_second = 0; }, "records_per_second"},
      {[](FleetSpec& s) { s.reporter.statsd_max_datagram_bytes = 10; },
       "reporter.statsd_max_datagram_bytes"},
      {[](FleetSpec& s) {
         s.reporter.grouping_key = {{"bad-name", "x"}};
       },
       "reporter.grouping_key[0]"},
      {[](FleetSpec& s) { s.reporter.cluster_grouping_label = "1x"; },
       "reporter.cluster_grouping_label"},
      {[](FleetSpec& s) { s.reporter.influx_db = ""; }, "reporter.influx_db"},
  };
  for (const Case& c : cases) {
    FleetSpec spec;
    c.mutate(spec);
    absl::Status status = spec.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(std::string(status.message()).rfind(std::string(c.field) + ":", 0), 0u)
        << status.message();
    EXPECT_FALSE(Fleet::Create(spec).ok());
  }
}

TEST(FleetTest, SameSeedSameBytesOtherSeedOtherBytes) {
  Fleet a = MakeFleet(Spec());
  Fleet b = MakeFleet(Spec());
  FleetSpec other = Spec();
  other.seed = 2;
  Fleet c = MakeFleet(other);
  for (Fleet* fleet : {&a, &b, &c}) {
    ASSERT_TRUE(fleet->SetFault(1, FaultKind::kRestarts, true).ok());
    for (int64_t t = 10'000; t <= 60'000; t += 10'000) fleet->AdvanceTo(kStart + t);
  }
  const std::string payload_a = AllPayloads(a);
  EXPECT_EQ(payload_a, AllPayloads(b));
  EXPECT_NE(payload_a, AllPayloads(c));
}

TEST(FleetTest, JobsHaveStableNamesAndFlinkShapedIdentities) {
  FleetSpec spec = Spec();
  spec.nodes = 5;
  Fleet fleet = MakeFleet(spec);
  ASSERT_EQ(fleet.jobs().size(), 4u);
  ASSERT_EQ(fleet.nodes().size(), 5u);
  EXPECT_EQ(fleet.nodes()[3], "node-03");
  const std::regex hex32("[0-9a-f]{32}");
  const std::regex pod_ip(R"(10\.\d+\.\d+\.\d+)");
  const std::regex container(R"(container_e\d{2}_\d{13}_\d{4}_01_\d{6})");
  std::set<std::string> ids;
  for (const SimJob& job : fleet.jobs()) {
    EXPECT_EQ(job.name, "job-00" + std::to_string(job.index));
    EXPECT_TRUE(std::regex_match(job.id, hex32));
    ids.insert(job.id);
    EXPECT_EQ(job.cluster, job.index % 2 == 0 ? "k8s-prod-eu" : "yarn-prod-1");
    EXPECT_EQ(job.version, FlinkVersion::k1_17);
    ASSERT_EQ(job.processes.size(), 3u);
    EXPECT_EQ(job.processes[0].kind, ProcessKind::kJobManager);
    EXPECT_TRUE(job.processes[0].tm_id.empty());
    for (size_t p = 0; p < job.processes.size(); ++p) {
      const SimProcess& process = job.processes[p];
      EXPECT_TRUE(std::regex_match(process.push_suffix, hex32));
      EXPECT_GE(process.node, 0);
      EXPECT_LT(process.node, 5);
      if (job.cluster_kind == ClusterKind::kKubernetes) {
        EXPECT_TRUE(std::regex_match(process.host, pod_ip)) << process.host;
        if (p > 0) {
          EXPECT_EQ(process.tm_id, job.name + "-taskmanager-1-" + std::to_string(p));
        }
      } else {
        EXPECT_EQ(process.host, fleet.nodes()[process.node] + ".yarn-prod-1.internal");
        EXPECT_TRUE(std::regex_match(process.pod, container)) << process.pod;
        if (p > 0) {
          EXPECT_EQ(process.tm_id, process.pod);
        }
      }
    }
    // Subtasks spread over the TaskManagers' slots.
    EXPECT_EQ(job.subtask_process, (std::vector<int>{1, 1, 2, 2}));
    ASSERT_EQ(job.tasks.size(), 2u);
    EXPECT_EQ(job.tasks[0].id, job.operators[0].id);
    EXPECT_EQ(job.tasks[0].attempt_ids.size(), 4u);
  }
  EXPECT_EQ(ids.size(), 4u);
}

TEST(FleetTest, ChainingControlsTheTasks) {
  FleetSpec spec = Spec();
  spec.operators = 5;
  spec.chain_length = 1;
  Fleet unchained = MakeFleet(spec);
  EXPECT_EQ(unchained.jobs()[0].tasks.size(), 5u);
  EXPECT_EQ(unchained.jobs()[0].tasks[0].name, "Source: orders");
  spec.chain_length = 5;
  Fleet chained = MakeFleet(spec);
  ASSERT_EQ(chained.jobs()[0].tasks.size(), 1u);
  EXPECT_EQ(chained.jobs()[0].tasks[0].name,
            "Source: orders -> Map -> Filter -> Timestamps/Watermarks -> Sink: Writer");
}

TEST(FleetTest, RedeployKeepsTheNameAndChangesEveryIdentity) {
  Fleet fleet = MakeFleet(Spec());
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kCpuSaturation, true).ok());
  fleet.AdvanceTo(kStart + 60'000);
  const SimJob before = fleet.jobs()[0];
  const double records_before = SumOf(fleet, 0, Scope::kTask, "numRecordsIn");
  EXPECT_GT(records_before, 0);
  EXPECT_GT(SumOf(fleet, 0, Scope::kJobManagerJob, "numberOfCompletedCheckpoints"), 0);

  ASSERT_TRUE(fleet.Redeploy(0, "yarn-prod-2", FlinkVersion::k1_19).ok());
  const SimJob& after = fleet.jobs()[0];
  EXPECT_EQ(after.name, before.name);
  EXPECT_NE(after.id, before.id);
  EXPECT_EQ(after.cluster, "yarn-prod-2");
  EXPECT_EQ(after.cluster_kind, ClusterKind::kYarn);
  EXPECT_EQ(after.version, FlinkVersion::k1_19);
  EXPECT_EQ(after.generation, 1);
  EXPECT_TRUE(after.HasFault(FaultKind::kCpuSaturation));
  for (size_t p = 0; p < after.processes.size(); ++p) {
    EXPECT_NE(after.processes[p].host, before.processes[p].host);
    EXPECT_NE(after.processes[p].pod, before.processes[p].pod);
    EXPECT_NE(after.processes[p].push_suffix, before.processes[p].push_suffix);
    EXPECT_EQ(after.processes[p].started_ms, kStart + 60'000);
  }
  EXPECT_TRUE(after.processes[1].tm_id.rfind("container_e", 0) == 0);
  // The job graph is the same: operator and vertex ids survive.
  EXPECT_EQ(after.operators[1].id, before.operators[1].id);
  EXPECT_EQ(after.tasks[1].id, before.tasks[1].id);
  EXPECT_NE(after.tasks[1].attempt_ids[0], before.tasks[1].attempt_ids[0]);
  // Counters start from zero.
  EXPECT_EQ(SumOf(fleet, 0, Scope::kTask, "numRecordsIn"), 0);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "numberOfCompletedCheckpoints"), 0);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "lastCheckpointRestoreTimestamp"),
            kStart + 60'000);
  fleet.AdvanceTo(kStart + 70'000);
  EXPECT_GT(SumOf(fleet, 0, Scope::kTask, "numRecordsIn"), 0);
  EXPECT_LT(SumOf(fleet, 0, Scope::kTask, "numRecordsIn"), records_before);
  // Other jobs are untouched.
  EXPECT_EQ(fleet.jobs()[1].generation, 0);

  EXPECT_EQ(fleet.Redeploy(0, "mesos-1").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fleet.Redeploy(9, "k8s-x").code(), absl::StatusCode::kInvalidArgument);
}

// Cumulative metrics never decrease while their series lives; a restart
// starts new series (new attempt ids) at zero.
TEST(FleetTest, CountersAreMonotonicWithinTheirSeries) {
  Fleet fleet = MakeFleet(Spec());
  ASSERT_TRUE(fleet.SetFault(2, FaultKind::kRestarts, true).ok());
  std::map<std::string, double> last;
  int checked = 0;
  for (int64_t t = 0; t <= 120'000; t += 5'000) {
    fleet.AdvanceTo(kStart + t);
    ForEachSample(fleet, [&](const TruthSample& s) {
      const std::string& name = s.def->name;
      const bool cumulative = s.def->type == MetricType::kCounter ||
                              s.def->type == MetricType::kMeter || name == "numRestarts" ||
                              name == "Time" || name == "Count" || name.rfind("numberOf", 0) == 0 ||
                              name == "totalNumberOfCheckpoints";
      if (!cumulative || name == "TimeMsPerSecond" || name == "numberOfInProgressCheckpoints" ||
          s.def->canonical == "Status_JVM_Threads_Count") {
        return;
      }
      std::string key = std::to_string(s.flink_cluster) + "/" + std::to_string(s.process) + "/" +
                        s.def->prom_family;
      for (const Label& label : s.labels) key += "/" + label.value;
      const double value = s.def->type == MetricType::kMeter
                               ? static_cast<double>(s.reading.integer)
                               : s.reading.number;
      auto [it, inserted] = last.emplace(key, value);
      if (!inserted) {
        EXPECT_GE(value, it->second) << key;
        it->second = value;
        ++checked;
      }
    });
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GE(fleet.jobs()[2].restarts, 3);
  EXPECT_EQ(fleet.jobs()[0].restarts, 0);
}

TEST(FleetTest, TimeOnlyMovesForward) {
  Fleet fleet = MakeFleet(Spec());
  fleet.AdvanceTo(kStart + 20'000);
  const double records = SumOf(fleet, 0, Scope::kTask, "numRecordsIn");
  fleet.AdvanceTo(kStart + 10'000);
  EXPECT_EQ(fleet.now_ms(), kStart + 20'000);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kTask, "numRecordsIn"), records);
}

TEST(FleetTest, CheckpointsCompleteEveryInterval) {
  FleetSpec spec = Spec();
  spec.checkpoint_interval_ms = 5'000;
  Fleet fleet = MakeFleet(spec);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "lastCheckpointDuration"), -1);
  fleet.AdvanceTo(kStart + 60'000);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "numberOfCompletedCheckpoints"), 12);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kJobManagerJob, "totalNumberOfCheckpoints"), 12);
}

TEST(FleetTest, CountersGrowByRateTimesElapsed) {
  Fleet fleet = MakeFleet(Spec());
  fleet.AdvanceTo(kStart + 10'000);
  const double rate = SumOf(fleet, 0, Scope::kOperator, "numRecordsOutPerSecond");
  const double before = SumOf(fleet, 0, Scope::kOperator, "numRecordsOut");
  fleet.AdvanceTo(kStart + 20'000);
  const double grown = SumOf(fleet, 0, Scope::kOperator, "numRecordsOut") - before;
  // Counters are floored per series.
  const double series = static_cast<double>(CountOf(fleet, 0, Scope::kOperator, "numRecordsOut"));
  EXPECT_NEAR(grown, rate * 10, series + 1);
}

}  // namespace
}  // namespace vitals::sim::testing
