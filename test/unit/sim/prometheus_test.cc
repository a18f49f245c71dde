// PrometheusPushGatewayReporter pushes and PrometheusReporter scrape bodies.

#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "sim/prometheus_text.h"
#include "sim/pushgateway.h"
#include "sim/scrape.h"
#include "sim/truth.h"
#include "test/unit/sim/prom_text_checker.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

FleetSpec ThreeJobs() {
  FleetSpec spec;
  spec.jobs = 3;
  spec.start_ms = kStart;
  return spec;
}

std::string Filtered(std::string_view value) {
  std::string out;
  for (char c : value)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' ? c : '_');
  return out;
}

// family|k=v|k=v… in label order.
std::string Key(std::string_view family,
                const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string key(family);
  for (const auto& [k, v] : labels) absl::StrAppend(&key, "|", k, "=", v);
  return key;
}

// Flink's defaults (PrometheusPushGatewayReporterOptions: jobName "",
// randomJobNameSuffix true; the factory appends `new AbstractID()`): the
// group's job is 32 lower-case hex characters and nothing else.
TEST(PushGatewayTest, OnePutPerProcessOnItsNodeWithFlinksDefaultPath) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> pushes;
  RenderStats stats = RenderPushes(fleet, &pushes);
  size_t processes = 0;
  for (const SimJob& job : fleet.jobs()) processes += job.processes.size();
  ASSERT_EQ(pushes.size(), processes);
  EXPECT_EQ(stats.payloads, processes);

  const std::regex path_shape("/metrics/job/[0-9a-f]{32}/cluster/(k8s-prod-eu|yarn-prod-1)");
  std::set<std::string> paths;
  size_t i = 0;
  for (const SimJob& job : fleet.jobs()) {
    for (const SimProcess& process : job.processes) {
      const Push& push = pushes[i++];
      EXPECT_EQ(push.method, "PUT");
      EXPECT_EQ(push.content_type, "text/plain; version=0.0.4; charset=utf-8");
      EXPECT_EQ(push.node, fleet.nodes()[process.node]);
      EXPECT_TRUE(std::regex_match(push.path, path_shape)) << push.path;
      EXPECT_EQ(push.path, "/metrics/job/" + process.push_suffix + "/cluster/" + job.cluster);
      paths.insert(push.path);
    }
  }
  // randomJobNameSuffix: every process has a group of its own.
  EXPECT_EQ(paths.size(), processes);
}

// The job segment of every push path, for one reporter configuration.
std::vector<std::string> JobSegments(const ReporterSpec& reporter) {
  FleetSpec spec = ThreeJobs();
  spec.reporter = reporter;
  spec.reporter.cluster_grouping_label.clear();
  Fleet fleet = MakeFleet(spec);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  std::vector<std::string> segments;
  for (const Push& push : pushes) {
    EXPECT_EQ(push.path.rfind("/metrics/job/", 0), 0u) << push.path;
    segments.push_back(push.path.substr(13));
  }
  return segments;
}

TEST(PushGatewayTest, JobNameIsTheConfiguredOnePlusTheRandomSuffix) {
  ReporterSpec reporter;
  // A fleet-wide flink-conf's fixed name: `flink` + AbstractID.
  reporter.push_job_name = "flink";
  for (const std::string& segment : JobSegments(reporter)) {
    EXPECT_TRUE(std::regex_match(segment, std::regex("flink[0-9a-f]{32}"))) << segment;
  }
  // `{job_name}`, a per-job templated flink-conf: the job's name + AbstractID.
  reporter.push_job_name = "{job_name}";
  std::vector<std::string> segments = JobSegments(reporter);
  ASSERT_EQ(segments.size(), 9u);
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string name = "job-00" + std::to_string(i / 3);
    EXPECT_TRUE(std::regex_match(segments[i], std::regex(name + "[0-9a-f]{32}"))) << segments[i];
  }
  reporter.push_job_name = "flink-{job_name}-{job_name}";
  EXPECT_TRUE(
      std::regex_match(JobSegments(reporter)[3], std::regex("flink-job-001-job-001[0-9a-f]{32}")));
  // randomJobNameSuffix off: the name alone, shared by a cluster's processes.
  reporter.random_job_name_suffix = false;
  reporter.push_job_name = "{job_name}";
  segments = JobSegments(reporter);
  EXPECT_EQ(segments[0], "job-000");
  EXPECT_EQ(segments[2], "job-000");
  EXPECT_EQ(segments[8], "job-002");
  reporter.push_job_name = "flink";
  EXPECT_EQ(JobSegments(reporter)[4], "flink");
  // Both defaults' opposite: an empty job, sent base64-encoded (`=`) as
  // the Prometheus client sends empty values.
  reporter.push_job_name = "";
  FleetSpec spec = ThreeJobs();
  spec.reporter = reporter;
  Fleet fleet = MakeFleet(spec);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  for (const Push& push : pushes) {
    EXPECT_EQ(push.path.rfind("/metrics/job@base64/=/cluster/", 0), 0u) << push.path;
  }
}

TEST(PushGatewayTest, BodiesAreFlinkShapedTextWithTrailingCommas) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> pushes;
  RenderStats stats = RenderPushes(fleet, &pushes);
  size_t sample_lines = 0;
  size_t bytes = 0;
  const std::regex help_shape(R"([A-Za-z0-9:_.\-]+ \(scope: [A-Za-z0-9:_]+\))");
  for (const Push& push : pushes) {
    auto families = CheckPromText(push.body);
    ASSERT_TRUE(families.ok()) << families.status();
    ASSERT_FALSE(families->empty());
    for (const PromFamily& family : *families) {
      EXPECT_EQ(family.name.rfind("flink_", 0), 0u) << family.name;
      EXPECT_TRUE(std::regex_match(family.help, help_shape)) << family.help;
      EXPECT_FALSE(family.samples.empty());
      for (const PromSample& sample : family.samples) {
        EXPECT_NE(sample.name.size() >= 4 ? sample.name.substr(sample.name.size() - 4) : "",
                  "_sum");
        ++sample_lines;
      }
    }
    bytes += push.body.size();
  }
  EXPECT_EQ(stats.samples, sample_lines);
  EXPECT_EQ(stats.bytes, bytes);
}

TEST(PushGatewayTest, FamilyNamesFollowFlinksScopes) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  std::set<std::string> names;
  for (const Push& push : pushes) {
    auto families = CheckPromText(push.body);
    ASSERT_TRUE(families.ok()) << families.status();
    for (const PromFamily& family : *families) names.insert(family.name);
  }
  for (const char* expected : {
           "flink_jobmanager_job_numRestarts",
           "flink_jobmanager_job_lastCheckpointDuration",
           "flink_jobmanager_job_numberOfCompletedCheckpoints",
           "flink_jobmanager_Status_JVM_CPU_Load",
           "flink_taskmanager_Status_JVM_CPU_Load",
           "flink_taskmanager_Status_JVM_GarbageCollector_G1_Old_Generation_Time",
           "flink_taskmanager_job_task_busyTimeMsPerSecond",
           "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
           "flink_taskmanager_job_task_Shuffle_Netty_Output_Buffers_outPoolUsage",
           "flink_taskmanager_job_task_operator_numRecordsInPerSecond",
           "flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max",
           "flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset",
           "flink_taskmanager_job_task_operator_pendingRecords",
           "flink_taskmanager_job_latency_source_id_operator_id_operator_subtask_index_latency",
       }) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

TEST(PushGatewayTest, LabelValuesAreFilteredByDefault) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  const SimJob& job = fleet.jobs()[0];
  ASSERT_EQ(job.tasks[0].name, "Source: orders -> Map");
  std::string body;
  AppendPrometheusText(fleet, 0, 1, &body);
  auto families = CheckPromText(body);
  ASSERT_TRUE(families.ok()) << families.status();
  bool saw_task = false;
  bool saw_partition = false;
  for (const PromFamily& family : *families) {
    for (const PromSample& sample : family.samples) {
      for (const auto& [name, value] : sample.labels) {
        if (name != "quantile") {
          EXPECT_EQ(value, Filtered(value)) << name;
        }
      }
      EXPECT_EQ(sample.Label("host"), Filtered(job.processes[1].host));
      EXPECT_EQ(sample.Label("tm_id"), "job_000_taskmanager_1_1");
      if (sample.Label("task_id") == job.tasks[0].id) {
        EXPECT_EQ(sample.Label("task_name"), "Source:_orders____Map");
        EXPECT_EQ(sample.Label("job_name"), "job_000");
        saw_task = true;
      }
      if (!sample.Label("partition").empty()) {
        EXPECT_EQ(sample.Label("topic"), "orders");
        saw_partition = true;
      }
    }
  }
  EXPECT_TRUE(saw_task);
  EXPECT_TRUE(saw_partition);
}

TEST(PushGatewayTest, UnfilteredLabelValuesKeepTheirCharacters) {
  FleetSpec spec = ThreeJobs();
  spec.reporter.filter_label_value_characters = false;
  Fleet fleet = MakeFleet(spec);
  std::string body;
  AppendPrometheusText(fleet, 0, 1, &body);
  auto families = CheckPromText(body);
  ASSERT_TRUE(families.ok()) << families.status();
  std::set<std::string> task_names;
  for (const PromFamily& family : *families) {
    for (const PromSample& sample : family.samples) {
      EXPECT_EQ(sample.Label("host"), fleet.jobs()[0].processes[1].host);
      if (!sample.Label("task_name").empty()) task_names.insert(sample.Label("task_name"));
    }
  }
  EXPECT_TRUE(task_names.count("Source: orders -> Map"));
  EXPECT_TRUE(task_names.count("Filter -> Sink: Writer"));
}

TEST(PushGatewayTest, HistogramsAreSummariesWithCountAndEightQuantiles) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  std::string body;
  AppendPrometheusText(fleet, 0, 1, &body);
  auto families = CheckPromText(body);
  ASSERT_TRUE(families.ok()) << families.status();
  const std::string name =
      "flink_taskmanager_job_latency_source_id_operator_id_operator_subtask_index_latency";
  const PromFamily* latency = nullptr;
  for (const PromFamily& family : *families) {
    if (family.name == name) latency = &family;
  }
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->type, "summary");
  ASSERT_EQ(latency->samples.size() % 9, 0u);
  const char* quantiles[] = {"0.0", "0.5", "0.75", "0.95", "0.98", "0.99", "0.999", "1.0"};
  for (size_t i = 0; i < latency->samples.size(); i += 9) {
    const PromSample& count = latency->samples[i];
    EXPECT_EQ(count.name, name + "_count");
    EXPECT_EQ(count.Label("quantile"), "");
    EXPECT_EQ(count.Label("source_id"), fleet.jobs()[0].operators[0].id);
    EXPECT_GT(count.value, 0);
    double previous = -1;
    for (int q = 0; q < 8; ++q) {
      const PromSample& sample = latency->samples[i + 1 + q];
      EXPECT_EQ(sample.name, name);
      EXPECT_EQ(sample.Label("quantile"), quantiles[q]);
      EXPECT_EQ(sample.Label("operator_id"), count.Label("operator_id"));
      EXPECT_GE(sample.value, previous);
      previous = sample.value;
    }
  }
}

// Every sample line of every push is a truth sample with the same value,
// and every truth sample is rendered once.
void ExpectPushesAreTheGroundTruth(const Fleet& fleet) {
  // Keyed by process too: JobManager-scope series carry only <host>, and
  // on Yarn two jobs' JobManagers can share a host; only the push group
  // (or scrape target) tells them apart, as with real Flink.
  std::map<std::string, double> truth;
  size_t histograms = 0;
  ForEachSample(fleet, [&](const TruthSample& s) {
    std::vector<std::pair<std::string, std::string>> labels;
    for (const Label& label : s.labels) labels.emplace_back(label.name, Filtered(label.value));
    const bool histogram = s.def->type == MetricType::kHistogram;
    histograms += histogram;
    const std::string key = std::to_string(s.flink_cluster) + "/" + std::to_string(s.process) +
                            "/" + Key(s.def->prom_family + (histogram ? "_count" : ""), labels);
    EXPECT_TRUE(truth.emplace(key, s.reading.number).second) << "duplicate series " << key;
  });
  EXPECT_EQ(truth.size(), InstanceCount(fleet));

  std::vector<Push> pushes;
  RenderStats stats = RenderPushes(fleet, &pushes);
  EXPECT_EQ(stats.samples, InstanceCount(fleet) + 8 * histograms);
  size_t matched = 0;
  std::map<std::string, double> records_in;  // job_name → Σ task numRecordsIn
  size_t push_index = 0;
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    for (size_t p = 0; p < cluster.processes.size(); ++p) {
      const Push& push = pushes[push_index++];
      auto families = CheckPromText(push.body);
      ASSERT_TRUE(families.ok()) << families.status();
      for (const PromFamily& family : *families) {
        for (const PromSample& sample : family.samples) {
          if (!sample.Label("quantile").empty()) continue;
          auto it = truth.find(std::to_string(cluster.index) + "/" + std::to_string(p) + "/" +
                               Key(sample.name, sample.labels));
          ASSERT_NE(it, truth.end()) << sample.name;
          if (std::isnan(it->second)) {
            EXPECT_EQ(sample.value_text, "NaN");
          } else {
            EXPECT_EQ(sample.value, it->second) << sample.name;
          }
          ++matched;
          if (sample.name == "flink_taskmanager_job_task_numRecordsIn") {
            records_in[sample.Label("job_name")] += sample.value;
          }
        }
      }
    }
  }
  EXPECT_EQ(matched, truth.size());
  for (const SimJob& job : fleet.jobs()) {
    if (job.status != JobStatus::kRunning) continue;
    EXPECT_GT(records_in[Filtered(job.name)], 0) << job.name;
    EXPECT_EQ(records_in[Filtered(job.name)],
              SumOf(fleet, job.index, Scope::kTask, "numRecordsIn"));
  }
}

TEST(PushGatewayTest, RenderedValuesAreExactlyTheGroundTruth) {
  FleetSpec spec = ThreeJobs();
  spec.jobs = 4;
  Fleet fleet = MakeFleet(spec);
  ASSERT_TRUE(fleet.SetFault(1, FaultKind::kSourceLag, true).ok());
  fleet.AdvanceTo(kStart + 30'000);
  ExpectPushesAreTheGroundTruth(fleet);
}

TEST(PushGatewayTest, SessionClusterPushesAreExactlyTheGroundTruth) {
  FleetSpec spec = ThreeJobs();
  spec.jobs = 5;
  spec.session_jobs = 3;
  spec.job_status_metrics = {JobStatusMetric::kState, JobStatusMetric::kCurrentTime,
                             JobStatusMetric::kTotalTime};
  Fleet fleet = MakeFleet(spec);
  ASSERT_TRUE(fleet.SetFault(1, FaultKind::kGcPressure, true).ok());
  ASSERT_TRUE(fleet.SetFault(4, FaultKind::kRestarts, true).ok());
  fleet.AdvanceTo(kStart + 30'000);
  ASSERT_TRUE(fleet.EndJob(2, JobEnd::kCanceled).ok());
  fleet.AdvanceTo(kStart + 40'000);
  ExpectPushesAreTheGroundTruth(fleet);
}

TEST(PushGatewayTest, GroupingKeyIsEncodedAsThePrometheusClientDoes) {
  FleetSpec spec = ThreeJobs();
  spec.reporter.push_job_name = "flink metrics";
  spec.reporter.random_job_name_suffix = false;
  spec.reporter.grouping_key = {{"env", "prod/eu"}, {"team", "data platform"}, {"empty", ""}};
  Fleet fleet = MakeFleet(spec);
  std::vector<Push> pushes;
  RenderPushes(fleet, &pushes);
  EXPECT_EQ(pushes[0].path,
            "/metrics/job/flink+metrics/env@base64/cHJvZC9ldQ==/team/data+platform/"
            "empty@base64/=/cluster/k8s-prod-eu");
  // Without the suffix the processes of a job share (and overwrite) one group.
  EXPECT_EQ(pushes[0].path, pushes[1].path);

  spec.reporter.cluster_grouping_label.clear();
  spec.reporter.grouping_key.clear();
  spec.reporter.push_job_name = "a/b";
  Fleet plain = MakeFleet(spec);
  RenderPushes(plain, &pushes);
  EXPECT_EQ(pushes[0].path, "/metrics/job@base64/YS9i");
}

TEST(PushGatewayTest, OnlyNodeSelectsThatNodesProcesses) {
  FleetSpec spec = ThreeJobs();
  spec.nodes = 4;
  Fleet fleet = MakeFleet(spec);
  std::vector<Push> all;
  RenderPushes(fleet, &all);
  size_t total = 0;
  for (int node = 0; node < spec.nodes; ++node) {
    std::vector<Push> pushes;
    RenderPushes(fleet, &pushes, node);
    for (const Push& push : pushes) EXPECT_EQ(push.node, fleet.nodes()[node]);
    total += pushes.size();
  }
  EXPECT_EQ(total, all.size());
}

TEST(PushGatewayTest, RedeployRetiresTheOldGroupsWithDeletes) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> before;
  RenderPushes(fleet, &before);
  ASSERT_TRUE(fleet.Redeploy(0, "yarn-prod-1").ok());
  std::vector<RetiredProcess> retired = fleet.TakeRetired();
  ASSERT_EQ(retired.size(), 3u);
  EXPECT_TRUE(fleet.TakeRetired().empty());
  std::vector<Push> deletes;
  AppendPushDeletes(fleet, retired, &deletes);
  ASSERT_EQ(deletes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(deletes[i].method, "DELETE");
    EXPECT_EQ(deletes[i].path, before[i].path);
    EXPECT_EQ(deletes[i].node, before[i].node);
    EXPECT_TRUE(deletes[i].body.empty());
  }
  std::vector<Push> after;
  RenderPushes(fleet, &after);
  EXPECT_NE(after[0].path, before[0].path);
  EXPECT_NE(after[0].path.find("/cluster/yarn-prod-1"), std::string::npos);
}

TEST(ScrapeTest, ScrapeBodiesAreThePushBodies) {
  Fleet fleet = MakeFleet(ThreeJobs());
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<Push> pushes;
  std::vector<ScrapeBody> scrapes;
  RenderStats push_stats = RenderPushes(fleet, &pushes);
  RenderStats scrape_stats = RenderScrapes(fleet, &scrapes);
  ASSERT_EQ(scrapes.size(), pushes.size());
  EXPECT_EQ(scrape_stats.samples, push_stats.samples);
  for (size_t i = 0; i < scrapes.size(); ++i) {
    EXPECT_EQ(scrapes[i].body, pushes[i].body);
    EXPECT_EQ(scrapes[i].node, pushes[i].node);
    const SimProcess& process =
        fleet.flink_clusters()[scrapes[i].flink_cluster].processes[scrapes[i].process];
    EXPECT_EQ(scrapes[i].pod, process.pod);
    EXPECT_EQ(scrapes[i].host, process.host);
  }
}

}  // namespace
}  // namespace vitals::sim::testing
