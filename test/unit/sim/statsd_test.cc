#include "sim/statsd.h"

#include <map>
#include <regex>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

std::vector<std::string> Lines(const std::vector<StatsdDatagram>& datagrams) {
  std::vector<std::string> lines;
  for (const StatsdDatagram& d : datagrams) {
    for (absl::string_view line : absl::StrSplit(d.payload, '\n')) lines.emplace_back(line);
  }
  return lines;
}

// identifier → values in the order sent.
std::multimap<std::string, std::string> ByIdentifier(const std::vector<std::string>& lines) {
  std::multimap<std::string, std::string> out;
  for (const std::string& line : lines) {
    // The value of a string gauge may itself contain ':'; the identifier
    // cannot (the reporter replaces it).
    size_t colon = line.find(':');
    out.emplace(line.substr(0, colon), line.substr(colon + 1, line.size() - colon - 3));
  }
  return out;
}

FleetSpec OneJob(FlinkVersion version) {
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  spec.version = version;
  return spec;
}

TEST(StatsdTest, EveryLineIsAGaugeAndDatagramsRespectTheSizeLimit) {
  FleetSpec spec = OneJob(FlinkVersion::k1_17);
  spec.jobs = 3;
  spec.reporter.statsd_max_datagram_bytes = 512;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<StatsdDatagram> datagrams;
  RenderStats stats = RenderStatsd(fleet, &datagrams);
  EXPECT_EQ(stats.payloads, datagrams.size());
  size_t bytes = 0;
  for (const StatsdDatagram& d : datagrams) {
    bytes += d.payload.size();
    EXPECT_LE(d.payload.size(), 512u);
    EXPECT_NE(d.payload.back(), '\n');
  }
  EXPECT_EQ(stats.bytes, bytes);
  std::vector<std::string> lines = Lines(datagrams);
  EXPECT_EQ(stats.samples, lines.size());
  for (const std::string& line : lines) {
    ASSERT_GE(line.size(), 4u);
    EXPECT_EQ(line.substr(line.size() - 2), "|g") << line;
    EXPECT_NE(line.find(':'), std::string::npos) << line;
  }

  spec.reporter.statsd_max_datagram_bytes = 0;
  Fleet single = MakeFleet(spec);
  single.AdvanceTo(kStart + 10'000);
  RenderStats one_per_line = RenderStatsd(single, &datagrams);
  EXPECT_EQ(one_per_line.payloads, one_per_line.samples);
  for (const StatsdDatagram& d : datagrams) EXPECT_EQ(d.payload.find('\n'), std::string::npos);
}

TEST(StatsdTest, IdentifiersFollowTheDefaultScopeFormats) {
  Fleet fleet = MakeFleet(OneJob(FlinkVersion::k1_17));
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<StatsdDatagram> datagrams;
  RenderStatsd(fleet, &datagrams);
  auto values = ByIdentifier(Lines(datagrams));
  const SimJob& job = fleet.jobs()[0];
  const SimProcess& jm = job.processes[0];
  const SimProcess& tm = job.processes[1];
  // <host>.jobmanager.<job_name>.<metric>
  EXPECT_TRUE(values.count(jm.host + ".jobmanager." + job.name + ".numRestarts"));
  // <host>.taskmanager.<tm_id>.<metric>, dots of the host passing through.
  EXPECT_TRUE(values.count(tm.host + ".taskmanager." + tm.tm_id + ".Status.JVM.CPU.Load"));
  EXPECT_TRUE(values.count(tm.host + ".taskmanager." + tm.tm_id +
                           ".Status.JVM.GarbageCollector.G1 Young Generation.Time"));
  // Task and operator scopes: ':' in names becomes '-'.
  const std::string task =
      tm.host + ".taskmanager." + tm.tm_id + "." + job.name + ".Source- orders -> Map.0.";
  EXPECT_TRUE(values.count(task + "numRecordsInPerSecond.rate"));
  EXPECT_TRUE(values.count(task + "numRecordsInPerSecond.count"));
  EXPECT_TRUE(values.count(task + "Shuffle.Netty.Output.Buffers.outPoolUsage"));
  const std::string source =
      tm.host + ".taskmanager." + tm.tm_id + "." + job.name + ".Source- orders.0.";
  EXPECT_TRUE(values.count(source + "KafkaSourceReader.KafkaConsumer.records-lag-max"));
  EXPECT_TRUE(values.count(source + "KafkaSourceReader.topic.orders.partition.0.currentOffset"));
  // Histograms.
  const std::string latency = tm.host + ".taskmanager." + tm.tm_id + "." + job.name +
                              ".latency.source_id." + job.operators[0].id + ".operator_id." +
                              job.operators[1].id + ".operator_subtask_index.0.latency";
  for (const char* suffix : {".count", ".max", ".min", ".mean", ".stddev", ".p50", ".p75", ".p95",
                             ".p98", ".p99", ".p999"}) {
    EXPECT_TRUE(values.count(latency + suffix)) << suffix;
  }
}

TEST(StatsdTest, ValuesAreJavaSpelledAndMatchTheGroundTruth) {
  Fleet fleet = MakeFleet(OneJob(FlinkVersion::k1_17));
  fleet.AdvanceTo(kStart + 20'000);
  std::vector<StatsdDatagram> datagrams;
  RenderStatsd(fleet, &datagrams);
  auto values = ByIdentifier(Lines(datagrams));
  const SimJob& job = fleet.jobs()[0];
  const SimProcess& jm = job.processes[0];
  const SimProcess& tm = job.processes[1];
  const std::string job_prefix = jm.host + ".jobmanager." + job.name + ".";
  // Booleans and strings as text, counters as integers, doubles as Java doubles.
  EXPECT_EQ(values.find(job_prefix + "lastCheckpointExternalPath")->second,
            "s3://flink-checkpoints/" + job.name + "/" + job.id + "/chk-2");
  const std::string task =
      tm.host + ".taskmanager." + tm.tm_id + "." + job.name + ".Source- orders -> Map.0.";
  EXPECT_EQ(values.find(task + "isBackPressured")->second, "false");
  int64_t records_in = 0;
  for (const TruthSample& s : SamplesOf(fleet, 0, Scope::kTask, "numRecordsIn")) {
    if (LabelOf(s, "task_id") == job.tasks[0].id && LabelOf(s, "subtask_index") == "0") {
      records_in = s.reading.integer;
    }
  }
  EXPECT_GT(records_in, 0);
  EXPECT_EQ(values.find(task + "numRecordsIn")->second, std::to_string(records_in));
  EXPECT_TRUE(std::regex_match(values.find(task + "numRecordsInPerSecond.rate")->second,
                               std::regex(R"(\d+\.\d+)")));
  // Float gauges print float digits.
  const std::string pool = values.find(task + "Shuffle.Netty.Output.Buffers.outPoolUsage")->second;
  EXPECT_LE(pool.size(), 12u) << pool;
}

TEST(StatsdTest, NegativeValuesAndRepeatedGaugesDependOnTheVersion) {
  for (FlinkVersion version : {FlinkVersion::k1_10, FlinkVersion::k1_17}) {
    SCOPED_TRACE(FlinkVersionName(version));
    Fleet fleet = MakeFleet(OneJob(version));
    std::vector<StatsdDatagram> datagrams;
    RenderStatsd(fleet, &datagrams);
    auto values = ByIdentifier(Lines(datagrams));
    const SimProcess& jm = fleet.jobs()[0].processes[0];
    auto range = values.equal_range(jm.host + ".jobmanager.Status.JVM.Memory.NonHeap.Max");
    std::vector<std::string> sent;
    for (auto it = range.first; it != range.second; ++it) sent.push_back(it->second);
    auto load = values.count(jm.host + ".jobmanager.Status.JVM.CPU.Load");
    const std::string path =
        jm.host + ".jobmanager." + fleet.jobs()[0].name + ".lastCheckpointExternalPath";
    if (version == FlinkVersion::k1_10) {
      EXPECT_EQ(sent, (std::vector<std::string>{"-1"}));
      EXPECT_EQ(load, 1u);
    } else {
      // `name:0|g` first so StatsD sets rather than decrements; then the
      // gauge again, as reportGauge sends numbers twice.
      EXPECT_EQ(sent, (std::vector<std::string>{"0", "-1", "-1"}));
      EXPECT_EQ(load, 2u);
    }
    EXPECT_EQ(values.count(path), 1u);
    EXPECT_EQ(values.find(path)->second, "n/a");
  }
}

TEST(StatsdTest, OnlyNodeSelectsThatNodesProcesses) {
  FleetSpec spec = OneJob(FlinkVersion::k1_17);
  spec.jobs = 3;
  Fleet fleet = MakeFleet(spec);
  std::vector<StatsdDatagram> all;
  RenderStats total = RenderStatsd(fleet, &all);
  size_t lines = 0;
  for (int node = 0; node < spec.nodes; ++node) {
    std::vector<StatsdDatagram> datagrams;
    lines += RenderStatsd(fleet, &datagrams, node).samples;
    for (const StatsdDatagram& d : datagrams) EXPECT_EQ(d.node, fleet.nodes()[node]);
  }
  EXPECT_EQ(lines, total.samples);
}

}  // namespace
}  // namespace vitals::sim::testing
