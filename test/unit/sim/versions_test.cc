// Metric naming per Flink version (flink-metrics.md's table).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/base/strings.h"
#include "common/flink/catalog.h"
#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "sim/metric_catalog.h"
#include "sim/pushgateway.h"
#include "sim/truth.h"
#include "test/unit/sim/prom_text_checker.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

// Family names a one-job fleet of `version` pushes.
std::set<std::string> Families(FlinkVersion version) {
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  spec.version = version;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  std::set<std::string> names;
  for (const Push& push : pushes) {
    auto families = CheckPromText(push.body);
    EXPECT_TRUE(families.ok()) << families.status();
    if (!families.ok()) continue;
    for (const PromFamily& family : *families) names.insert(family.name);
  }
  return names;
}

constexpr char kTask[] = "flink_taskmanager_job_task_";
constexpr char kOperator[] = "flink_taskmanager_job_task_operator_";
constexpr char kJob[] = "flink_jobmanager_job_";
constexpr char kTmGc[] = "flink_taskmanager_Status_JVM_GarbageCollector_";

TEST(VersionsTest, ParseAndName) {
  for (FlinkVersion v : kAllFlinkVersions) {
    auto parsed = ParseFlinkVersion(FlinkVersionName(v));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, v);
  }
  EXPECT_EQ(*ParseFlinkVersion("1.17.2"), FlinkVersion::k1_17);
  EXPECT_EQ(*ParseFlinkVersion("1.15"), FlinkVersion::k1_17);
  EXPECT_EQ(*ParseFlinkVersion("1.20"), FlinkVersion::k1_19);
  EXPECT_EQ(*ParseFlinkVersion("1.11"), FlinkVersion::k1_12);
  EXPECT_EQ(*ParseFlinkVersion("2.1"), FlinkVersion::k2_0);
  for (const char* bad : {"1.9", "17", "1.", "1.17.", "one", "1.17-SNAPSHOT", ""}) {
    EXPECT_FALSE(ParseFlinkVersion(bad).ok()) << bad;
  }
}

TEST(VersionsTest, Flink110) {
  std::set<std::string> names = Families(FlinkVersion::k1_10);
  auto has = [&](const std::string& name) { return names.count(name) > 0; };
  EXPECT_TRUE(has(std::string(kTask) + "isBackPressured"));
  EXPECT_FALSE(has(std::string(kTask) + "backPressuredTimeMsPerSecond"));
  EXPECT_FALSE(has(std::string(kTask) + "busyTimeMsPerSecond"));
  EXPECT_FALSE(has(std::string(kTask) + "idleTimeMsPerSecond"));
  EXPECT_TRUE(has(std::string(kJob) + "numRestarts"));
  EXPECT_TRUE(has(std::string(kJob) + "fullRestarts"));
  EXPECT_TRUE(has(std::string(kJob) + "uptime"));
  EXPECT_FALSE(has(std::string(kJob) + "runningState"));
  EXPECT_TRUE(has(std::string(kOperator) + "KafkaConsumer_records_lag_max"));
  EXPECT_FALSE(has(std::string(kOperator) + "KafkaSourceReader_KafkaConsumer_records_lag_max"));
  EXPECT_FALSE(has(std::string(kOperator) + "pendingRecords"));
  EXPECT_FALSE(has(std::string(kOperator) + "currentEmitEventTimeLag"));
  EXPECT_TRUE(has(std::string(kOperator) + "KafkaConsumer_topic_partition_currentOffsets"));
  EXPECT_TRUE(has(std::string(kTask) + "numBytesInRemote"));
  EXPECT_FALSE(has(std::string(kTask) + "numBytesIn"));
  EXPECT_TRUE(has(std::string(kTmGc) + "PS_MarkSweep_Time"));
  EXPECT_TRUE(has("flink_taskmanager_Status_Network_AvailableMemorySegments"));
}

TEST(VersionsTest, Flink112HasIdleTimeAsAMeterButNoBusyTime) {
  std::set<std::string> names = Families(FlinkVersion::k1_12);
  EXPECT_TRUE(names.count(std::string(kTask) + "idleTimeMsPerSecond"));
  EXPECT_FALSE(names.count(std::string(kTask) + "busyTimeMsPerSecond"));
  EXPECT_FALSE(names.count(std::string(kTask) + "backPressuredTimeMsPerSecond"));
  EXPECT_TRUE(names.count(std::string(kOperator) + "KafkaConsumer_records_lag_max"));

  // Idle includes back-pressured time in 1.11–1.12: a back-pressured
  // upstream task reports mostly idle.
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  spec.version = FlinkVersion::k1_12;
  Fleet fleet = MakeFleet(spec);
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kBackpressure, true).ok());
  fleet.AdvanceTo(kStart + 10'000);
  const std::string source_task = fleet.jobs()[0].tasks[0].id;
  for (const TruthSample& s : SamplesOf(fleet, 0, Scope::kTask, "idleTimeMsPerSecond")) {
    EXPECT_EQ(s.def->type, MetricType::kMeter);
    if (LabelOf(s, "task_id") == source_task) {
      EXPECT_GE(s.reading.number, 600);
    }
  }
}

TEST(VersionsTest, Flink114HasBusyAndBackpressureTimeAndTheNewKafkaSource) {
  std::set<std::string> names = Families(FlinkVersion::k1_14);
  EXPECT_TRUE(names.count(std::string(kTask) + "busyTimeMsPerSecond"));
  EXPECT_TRUE(names.count(std::string(kTask) + "backPressuredTimeMsPerSecond"));
  EXPECT_FALSE(names.count(std::string(kTask) + "softBackPressuredTimeMsPerSecond"));
  EXPECT_TRUE(names.count(std::string(kOperator) + "pendingRecords"));
  EXPECT_TRUE(
      names.count(std::string(kOperator) + "KafkaSourceReader_KafkaConsumer_records_lag_max"));
  EXPECT_FALSE(names.count(std::string(kJob) + "runningState"));
  EXPECT_TRUE(names.count(std::string(kTmGc) + "G1_Young_Generation_Count"));
}

// JobStatusMetrics (1.15+) under metrics.job.status.enable's default,
// CURRENT_TIME alone: `<status>Time` only.
TEST(VersionsTest, Flink117HasJobStatusTimeGauges) {
  std::set<std::string> names = Families(FlinkVersion::k1_17);
  EXPECT_TRUE(names.count(std::string(kJob) + "runningTime"));
  EXPECT_TRUE(names.count(std::string(kJob) + "restartingTime"));
  EXPECT_FALSE(names.count(std::string(kJob) + "runningState"));
  EXPECT_FALSE(names.count(std::string(kJob) + "runningTimeTotal"));
  EXPECT_TRUE(names.count(std::string(kJob) + "uptime"));
  EXPECT_TRUE(names.count(std::string(kJob) + "fullRestarts"));
  EXPECT_TRUE(names.count(std::string(kJob) + "lastCheckpointFullSize"));
  EXPECT_TRUE(names.count(std::string(kTask) + "softBackPressuredTimeMsPerSecond"));
  EXPECT_FALSE(names.count(std::string(kTmGc) + "All_TimeMsPerSecond"));
}

TEST(VersionsTest, Flink119HasGcRatesAndTheAllGroup) {
  std::set<std::string> names = Families(FlinkVersion::k1_19);
  EXPECT_TRUE(names.count(std::string(kTmGc) + "All_TimeMsPerSecond"));
  EXPECT_TRUE(names.count(std::string(kTmGc) + "All_Time"));
  EXPECT_TRUE(names.count(std::string(kTmGc) + "All_Count"));
  EXPECT_TRUE(names.count(std::string(kTmGc) + "G1_Old_Generation_TimeMsPerSecond"));
  EXPECT_TRUE(names.count("flink_jobmanager_Status_JVM_GarbageCollector_All_TimeMsPerSecond"));
  EXPECT_TRUE(names.count(std::string(kJob) + "fullRestarts"));
}

TEST(VersionsTest, Flink20DropsDeprecatedJobMetrics) {
  std::set<std::string> names = Families(FlinkVersion::k2_0);
  EXPECT_TRUE(names.count(std::string(kJob) + "numRestarts"));
  EXPECT_FALSE(names.count(std::string(kJob) + "fullRestarts"));
  EXPECT_FALSE(names.count(std::string(kJob) + "uptime"));
  EXPECT_FALSE(names.count(std::string(kJob) + "downtime"));
  EXPECT_TRUE(names.count(std::string(kJob) + "runningTime"));
  EXPECT_TRUE(names.count(std::string(kTmGc) + "All_TimeMsPerSecond"));
}

TEST(VersionsTest, GcAllGroupAddsUpTheCollectors) {
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  spec.version = FlinkVersion::k1_19;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 30'000);
  const double young =
      SumOf(fleet, 0, Scope::kTaskManager, "Status_JVM_GarbageCollector_G1_Young_Generation_Time");
  const double old =
      SumOf(fleet, 0, Scope::kTaskManager, "Status_JVM_GarbageCollector_G1_Old_Generation_Time");
  EXPECT_GT(young, 0);
  EXPECT_EQ(SumOf(fleet, 0, Scope::kTaskManager, "Status_JVM_GarbageCollector_All_Time"),
            young + old);
}

// The release a version line stands for: its named release ("1.17": 117).
flink::Release ReleaseOf(FlinkVersion version) {
  std::vector<std::string> parts = absl::StrSplit(AsAbsl(FlinkVersionName(version)), '.');
  int major = 0;
  int minor = 0;
  EXPECT_TRUE(parts.size() == 2 && absl::SimpleAtoi(parts[0], &major) &&
              absl::SimpleAtoi(parts[1], &minor))
      << FlinkVersionName(version);
  return static_cast<flink::Release>(major * 100 + minor);
}

// The simulator's per-version tables and the catalog's release bounds
// (common/flink/catalog.h, from Flink's docs and the JIRA issues that
// added or removed each metric) are written apart: every metric a version
// reports is one its release registers, and a metric whose registration
// changes between the releases is reported in exactly those that have it.
TEST(VersionsTest, EachVersionReportsWhatTheCatalogSaysItsReleaseRegisters) {
  std::map<std::string, std::set<flink::Release>> reported_in;
  for (FlinkVersion version : kAllFlinkVersions) {
    const flink::Release release = ReleaseOf(version);
    for (const MetricDef& def : CatalogFor(version)) {
      reported_in[def.canonical].insert(release);
      EXPECT_TRUE(flink::RegisteredIn(def.canonical, release))
          << FlinkVersionName(version) << " reports " << def.canonical;
    }
  }
  int bounded = 0;
  for (const auto& [name, releases] : reported_in) {
    std::set<flink::Release> registered;
    for (FlinkVersion version : kAllFlinkVersions) {
      if (flink::RegisteredIn(name, ReleaseOf(version))) registered.insert(ReleaseOf(version));
    }
    if (registered.size() == std::size(kAllFlinkVersions)) continue;
    ++bounded;
    EXPECT_EQ(releases, registered) << name;
  }
  // busy/back-pressured/idle time, soft/hard, job-status gauges, uptime,
  // downtime, fullRestarts, GC All and TimeMsPerSecond, FLIP-27 source
  // metrics, lastCheckpointFullSize: the check covers them all.
  EXPECT_GE(bounded, 20);
}

}  // namespace
}  // namespace vitals::sim::testing
