#include "gateway/sinks/prometheus_view.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gateway/aggregate/aggregator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/gateway/aggregate/test_samples.h"

namespace vitals::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::OwnedSample;
using testing::Send;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;
constexpr auto kOp = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;

// Lines of `text` that start with `prefix` (a family or sample name).
std::vector<std::string> Lines(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) out.emplace_back(line);
  }
  return out;
}

// The value of the one sample line starting with `prefix`.
double ValueOf(const std::string& text, const std::string& prefix) {
  auto lines = Lines(text, prefix);
  EXPECT_EQ(lines.size(), 1u) << prefix << " in\n" << text;
  if (lines.size() != 1) return -1;
  return std::stod(lines[0].substr(lines[0].rfind(' ') + 1));
}

// A small fleet through a real aggregator: the view sees what the gateway
// would hand it.
class Fleet {
 public:
  Fleet() : aggregator_(Config()) {}

  static AggregatorConfig Config() {
    AggregatorConfig config;
    config.gateway = "node-1";
    config.cluster = "k8s-test";
    return config;
  }

  void Report(std::string metric, int subtask, double value, int64_t interval,
              v1::Scope scope = kOp, std::string pod_suffix = "") {
    OwnedSample s;
    s.scope = scope;
    s.metric = std::move(metric);
    s.job_id = job_id;
    s.labels = {{"host", "10.0.0." + std::to_string(subtask)},
                {"operator_name", "Source: Kafka"},
                {"subtask_index", std::to_string(subtask)},
                {"task_name", "Source: Kafka"},
                {"tm_id", "tm-" + std::to_string(subtask) + pod_suffix}};
    if (scope != kOp) s.labels.erase("operator_name");
    s.source = "pod-" + std::to_string(subtask) + pod_suffix;
    s.value = value;
    s.timestamp_ms = kT0 + interval * kInterval + 1'000 + subtask;
    Send(aggregator_, s);
  }

  void Quantiles(std::string metric, int subtask, std::vector<std::pair<std::string, double>> qs,
                 int64_t interval) {
    for (auto& [q, value] : qs) {
      OwnedSample s;
      s.metric = metric;
      s.labels = {{"operator_name", "Window"},
                  {"subtask_index", std::to_string(subtask)},
                  {"task_name", "Window"}};
      s.source = "pod-" + std::to_string(subtask);
      s.type = SampleType::kSummary;
      s.quantile = q;
      s.value = value;
      s.timestamp_ms = kT0 + interval * kInterval + 1'000;
      Send(aggregator_, s);
    }
  }

  // Closes `interval` and hands its batches to the view.
  void Close(int64_t interval) { view.Update(aggregator_.Flush(kT0 + (interval + 1) * kInterval)); }

  std::string job_id = "job-id-1";
  PrometheusView view;

 private:
  Aggregator aggregator_;
};

const std::string kRecordsIn = "flink_taskmanager_job_task_operator_numRecordsIn{";

TEST(PrometheusViewTest, OneSeriesPerJobAndOperatorNeverPerSubtask) {
  Fleet fleet;
  for (int subtask = 0; subtask < 8; ++subtask) {
    fleet.Report("numRecordsInPerSecond", subtask, 100, 0);
    fleet.Report("currentEmitEventTimeLag", subtask, subtask, 0);
  }
  fleet.Close(0);
  const std::string text = fleet.view.Render();
  EXPECT_EQ(Lines(text, "flink_taskmanager_job_task_operator_numRecordsInPerSecond{").size(), 1u);
  EXPECT_EQ(Lines(text, "flink_taskmanager_job_task_operator_currentEmitEventTimeLag{").size(), 1u);
  EXPECT_THAT(text, Not(HasSubstr("subtask_index")));
  EXPECT_THAT(text, Not(HasSubstr("tm_id")));
  EXPECT_THAT(
      text,
      HasSubstr("flink_taskmanager_job_task_operator_numRecordsInPerSecond{job_name=\"orders\","
                "job_id=\"job-id-1\",cluster=\"k8s-test\",gateway=\"node-1\","
                "operator_name=\"Source: Kafka\",task_name=\"Source: Kafka\"} 800\n"));
}

TEST(PrometheusViewTest, ValueRulePerKind) {
  Fleet fleet;
  for (int subtask = 0; subtask < 3; ++subtask) {
    fleet.Report("numRecordsInPerSecond", subtask, 10 * (subtask + 1), 0);  // sum: 60
    fleet.Report("numBytesOutPerSecond", subtask, 1, 0);                    // sum: 3
    fleet.Report("busyTimeMsPerSecond", subtask, 100 * (subtask + 1), 0,
                 v1::SCOPE_TASKMANAGER_JOB_TASK);                      // max: 300
    fleet.Report("currentEmitEventTimeLag", subtask, 5 - subtask, 0);  // max: 5
    fleet.Report("pendingRecords", subtask, 1000, 0);                  // sum: 3000
  }
  fleet.Close(0);
  const std::string text = fleet.view.Render();
  EXPECT_EQ(ValueOf(text, "flink_taskmanager_job_task_operator_numRecordsInPerSecond{"), 60);
  EXPECT_EQ(ValueOf(text, "flink_taskmanager_job_task_operator_numBytesOutPerSecond{"), 3);
  EXPECT_EQ(ValueOf(text, "flink_taskmanager_job_task_busyTimeMsPerSecond{"), 300);
  EXPECT_EQ(ValueOf(text, "flink_taskmanager_job_task_operator_currentEmitEventTimeLag{"), 5);
  EXPECT_EQ(ValueOf(text, "flink_taskmanager_job_task_operator_pendingRecords{"), 3000);
}

TEST(PrometheusViewTest, JobManagerGaugesShowTheNewestValue) {
  Fleet fleet;
  fleet.Report("lastCheckpointDuration", 0, 900, 0, v1::SCOPE_JOBMANAGER_JOB);
  fleet.Report("lastCheckpointDuration", 1, 300, 0, v1::SCOPE_JOBMANAGER_JOB);  // new leader
  fleet.Close(0);
  EXPECT_EQ(ValueOf(fleet.view.Render(), "flink_jobmanager_job_lastCheckpointDuration{"), 300);
}

TEST(PrometheusViewTest, NonFlinkMetricsKeepTheirName) {
  v1::MetricBatch batch;
  batch.set_job_name("j");
  for (std::string metric : {"up", "vitals_gateway_active_series"}) {
    v1::SeriesAggregate* s = batch.add_series();
    s->set_metric(metric);
    s->set_kind(v1::METRIC_KIND_GAUGE);
    s->set_count(1);
    s->set_max(1);
  }
  PrometheusView view;
  view.Update({&batch, 1});
  const std::string text = view.Render();
  EXPECT_THAT(text, HasSubstr("\nup{job_name=\"j\""));
  EXPECT_THAT(text, HasSubstr("\nexported_vitals_gateway_active_series{"));
  EXPECT_THAT(text, Not(HasSubstr("\nvitals_")));
}

TEST(PrometheusViewTest, CounterIsARunningTotalThatSurvivesPodRestarts) {
  Fleet fleet;
  fleet.Report("numRecordsIn", 0, 1'000, 0);
  fleet.Report("numRecordsIn", 1, 5'000, 0);
  fleet.Close(0);
  // First sighting only sets baselines: the total starts at zero, not 6000.
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 0);

  fleet.Report("numRecordsIn", 0, 1'100, 1);
  fleet.Report("numRecordsIn", 1, 5'050, 1);
  fleet.Close(1);
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 150);

  // Subtask 1's pod restarts: a new source starting from a small count.
  fleet.Report("numRecordsIn", 0, 1'200, 2);
  fleet.Report("numRecordsIn", 1, 30, 2, kOp, "-restarted");
  fleet.Close(2);
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 250);

  fleet.Report("numRecordsIn", 0, 1'300, 3);
  fleet.Report("numRecordsIn", 1, 80, 3, kOp, "-restarted");
  fleet.Close(3);
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 400);

  // A counter reset inside one source (no new pod) counts its new value.
  fleet.Report("numRecordsIn", 0, 20, 4);
  fleet.Report("numRecordsIn", 1, 80, 4, kOp, "-restarted");
  fleet.Close(4);
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 420);
}

TEST(PrometheusViewTest, CounterTotalCarriesOverANewJobId) {
  Fleet fleet;
  fleet.Report("numRecordsIn", 0, 0, 0);
  fleet.Close(0);
  fleet.Report("numRecordsIn", 0, 70, 1);
  fleet.Close(1);
  fleet.job_id = "job-id-2";  // redeployed: same job name
  fleet.Report("numRecordsIn", 0, 5, 2, kOp, "-new");
  fleet.Close(2);
  fleet.Report("numRecordsIn", 0, 10, 3, kOp, "-new");
  fleet.Close(3);
  const std::string text = fleet.view.Render();
  EXPECT_EQ(ValueOf(text, kRecordsIn), 75);
  EXPECT_THAT(text, HasSubstr("job_id=\"job-id-2\""));
  EXPECT_THAT(text, Not(HasSubstr("job_id=\"job-id-1\"")));
}

// A series the newest update did not carry, still shown, has its job's
// newest identity: one job never shows two job ids at once.
TEST(PrometheusViewTest, AJobsSeriesShareItsNewestIdentity) {
  Fleet fleet;
  fleet.Report("numRecordsIn", 0, 0, 0);
  fleet.Report("currentEmitEventTimeLag", 0, 7, 0);
  fleet.Close(0);
  fleet.job_id = "job-id-2";
  fleet.Report("numRecordsIn", 0, 5, 1, kOp, "-new");  // the lag not (yet) reported
  fleet.Close(1);
  const std::string text = fleet.view.Render();
  EXPECT_EQ(ValueOf(text, "flink_taskmanager_job_task_operator_currentEmitEventTimeLag{"), 7);
  EXPECT_THAT(text, Not(HasSubstr("job_id=\"job-id-1\"")));
}

// Families in name order, a family's lines in the order of their labels,
// jobs interleaved as their names sort; RenderTo appends.
TEST(PrometheusViewTest, FamiliesAndLinesAreSorted) {
  std::vector<v1::MetricBatch> batches;
  for (std::string job : {"b-job", "a-job"}) {
    v1::MetricBatch& batch = batches.emplace_back();
    batch.set_job_name(job);
    batch.set_job_id(job + "-id");
    for (std::string metric : {"zeta", "alpha"}) {
      for (std::string op : {"op2", "op1"}) {
        v1::SeriesAggregate* s = batch.add_series();
        s->set_scope(kOp);
        s->set_metric(metric);
        s->set_kind(v1::METRIC_KIND_GAUGE);
        s->set_count(1);
        s->set_max(1);
        (*s->mutable_labels())["operator_name"] = op;
      }
    }
  }
  PrometheusView view;
  view.Update(batches);
  std::string text = "before\n";
  view.RenderTo(&text);
  std::vector<std::string> samples;
  for (const std::string& line : Lines(text, "flink_")) {  // without cluster and gateway
    samples.push_back(line.substr(0, line.find("\",cluster")) +
                      line.substr(line.find("operator_name")));
  }
  EXPECT_EQ(text.substr(0, 7), "before\n");
  const std::string alpha = "flink_taskmanager_job_task_operator_alpha{job_name=";
  const std::string zeta = "flink_taskmanager_job_task_operator_zeta{job_name=";
  EXPECT_THAT(samples,
              ::testing::ElementsAre(alpha + "\"a-job\",job_id=\"a-job-idoperator_name=\"op1\"} 1",
                                     alpha + "\"a-job\",job_id=\"a-job-idoperator_name=\"op2\"} 1",
                                     alpha + "\"b-job\",job_id=\"b-job-idoperator_name=\"op1\"} 1",
                                     alpha + "\"b-job\",job_id=\"b-job-idoperator_name=\"op2\"} 1",
                                     zeta + "\"a-job\",job_id=\"a-job-idoperator_name=\"op1\"} 1",
                                     zeta + "\"a-job\",job_id=\"a-job-idoperator_name=\"op2\"} 1",
                                     zeta + "\"b-job\",job_id=\"b-job-idoperator_name=\"op1\"} 1",
                                     zeta + "\"b-job\",job_id=\"b-job-idoperator_name=\"op2\"} 1"));
  EXPECT_EQ(Lines(text, "# TYPE ").size(), 2u);
}

TEST(PrometheusViewTest, SummaryShowsQuantileMaximaAndCount) {
  Fleet fleet;
  fleet.Quantiles("checkpointAlignmentTime", 0,
                  {{"0.0", 1}, {"0.5", 10}, {"1.0", 90}, {"count", 100}}, 0);
  fleet.Quantiles("checkpointAlignmentTime", 1,
                  {{"0.0", 2}, {"0.5", 30}, {"1.0", 40}, {"count", 50}}, 0);
  fleet.Close(0);
  fleet.Quantiles("checkpointAlignmentTime", 0,
                  {{"0.0", 1}, {"0.5", 10}, {"1.0", 90}, {"count", 110}}, 1);
  fleet.Quantiles("checkpointAlignmentTime", 1,
                  {{"0.0", 2}, {"0.5", 30}, {"1.0", 40}, {"count", 55}}, 1);
  fleet.Close(1);
  const std::string text = fleet.view.Render();
  const std::string family = "flink_taskmanager_job_task_operator_checkpointAlignmentTime";
  EXPECT_THAT(text, HasSubstr("# TYPE " + family + " summary\n"));
  EXPECT_EQ(ValueOf(text, family + "{job_name=\"orders\",job_id=\"j1\",cluster=\"k8s-test\","
                                   "gateway=\"node-1\",operator_name=\"Window\","
                                   "task_name=\"Window\",quantile=\"0.5\"}"),
            30);
  EXPECT_EQ(ValueOf(text, family + "_count{"), 15);
  EXPECT_EQ(Lines(text, "# TYPE " + family).size(), 1u);  // _count is no family of its own
  // Quantile order is numeric: 0.0, 0.5, 1.0.
  auto lines = Lines(text, family + "{");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr("quantile=\"0.0\""));
  EXPECT_THAT(lines[2], HasSubstr("quantile=\"1.0\""));
}

TEST(PrometheusViewTest, MissingSeriesLingerBrieflyThenDisappear) {
  const std::string lag = "flink_taskmanager_job_task_operator_currentEmitEventTimeLag{";
  Fleet fleet;  // keep_intervals = 3
  fleet.Report("currentEmitEventTimeLag", 0, 42, 0);
  fleet.Report("numRecordsIn", 0, 10, 0);
  fleet.Close(0);
  fleet.Report("numRecordsIn", 0, 30, 1);
  fleet.Close(1);  // lag missing once
  EXPECT_EQ(ValueOf(fleet.view.Render(), lag), 42);
  fleet.Close(2);  // twice
  EXPECT_EQ(ValueOf(fleet.view.Render(), lag), 42);
  fleet.Close(3);  // three times: gone
  EXPECT_THAT(fleet.view.Render(), Not(HasSubstr("currentEmitEventTimeLag")));
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 20);
  fleet.Close(4);
  EXPECT_THAT(fleet.view.Render(), Not(HasSubstr("numRecordsIn")));
  // Back within counter memory: the total carries on from 20.
  fleet.Report("numRecordsIn", 0, 35, 5);
  fleet.Close(5);
  EXPECT_EQ(ValueOf(fleet.view.Render(), kRecordsIn), 25);
}

TEST(PrometheusViewTest, LabelsAreEscapedSanitizedAndNeverShadowIdentity) {
  v1::MetricBatch batch;
  batch.set_gateway("node-1");
  batch.set_cluster("yarn-prod-1");
  batch.set_job_name("say \"hi\"\\now");
  batch.set_job_id("j");
  batch.set_interval_start_ms(kT0);
  batch.set_interval_length_ms(kInterval);
  v1::SeriesAggregate* s = batch.add_series();
  s->set_scope(v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR);
  s->set_metric("records-lag.max");
  s->set_kind(v1::METRIC_KIND_GAUGE);
  s->set_count(1);
  s->set_max(1.5e300);
  (*s->mutable_labels())["cluster"] = "other";
  (*s->mutable_labels())["topic.name"] = "line1\nline2";
  PrometheusView view;
  view.Update({&batch, 1});
  EXPECT_EQ(
      view.Render(),
      "# HELP flink_taskmanager_job_task_operator_records_lag_max Flink "
      "taskmanager_job_task_operator metric records-lag.max per job, aggregated by the "
      "vitals gateway: max over all instances.\n"
      "# TYPE flink_taskmanager_job_task_operator_records_lag_max gauge\n"
      "flink_taskmanager_job_task_operator_records_lag_max{job_name=\"say \\\"hi\\\"\\\\now\","
      "job_id=\"j\",cluster=\"yarn-prod-1\",gateway=\"node-1\",exported_cluster=\"other\","
      "topic_name=\"line1\\nline2\"} 1.5e+300\n");
}

// `promtool check metrics` on a realistic rendering: it must parse, and its
// lint may only complain about Flink's camelCase names.
TEST(PrometheusViewTest, PromtoolAcceptsTheOutput) {
  const char* promtool = "/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) GTEST_SKIP() << "promtool not installed";
  Fleet fleet;
  for (int interval = 0; interval < 3; ++interval) {
    for (int subtask = 0; subtask < 4; ++subtask) {
      const double t = interval * 100.0 + subtask;
      fleet.Report("numRecordsIn", subtask, t * 10, interval);
      fleet.Report("numRecordsOut", subtask, t * 9, interval);
      fleet.Report("numRecordsInPerSecond", subtask, t, interval);
      fleet.Report("currentEmitEventTimeLag", subtask, t, interval);
      fleet.Report("KafkaSourceReader_KafkaConsumer_records_lag_max", subtask, t, interval);
      fleet.Report("KafkaSourceReader_KafkaConsumer_records_consumed_total", subtask, t * 7,
                   interval);
      fleet.Report("KafkaSourceReader_KafkaConsumer_records_consumed_rate", subtask, t, interval);
      fleet.Report("busyTimeMsPerSecond", subtask, t, interval, v1::SCOPE_TASKMANAGER_JOB_TASK);
      fleet.Report("backPressuredTimeMsPerSecond", subtask, 0, interval,
                   v1::SCOPE_TASKMANAGER_JOB_TASK);
      fleet.Report("Status_JVM_CPU_Load", subtask, 0.25, interval, v1::SCOPE_TASKMANAGER);
      fleet.Report("Status_JVM_GarbageCollector_G1_Young_Generation_Count", subtask, t, interval,
                   v1::SCOPE_TASKMANAGER);
      fleet.Report("Status_JVM_GarbageCollector_G1_Young_Generation_Time", subtask, t * 3, interval,
                   v1::SCOPE_TASKMANAGER);
      fleet.Quantiles("checkpointAlignmentTime", subtask,
                      {{"0.0", 1}, {"0.5", t}, {"0.99", t + 1}, {"1.0", t + 2}, {"count", t * 4}},
                      interval);
    }
    fleet.Report("numRestarts", 0, interval, interval, v1::SCOPE_JOBMANAGER_JOB);
    fleet.Report("lastCheckpointDuration", 0, 1234, interval, v1::SCOPE_JOBMANAGER_JOB);
    fleet.Report("numberOfCompletedCheckpoints", 0, interval * 3, interval,
                 v1::SCOPE_JOBMANAGER_JOB);
    fleet.Report("runningTimeTotal", 0, interval * 10'000, interval, v1::SCOPE_JOBMANAGER_JOB);
    fleet.Close(interval);
  }
  const std::string text = fleet.view.Render();
  ASSERT_THAT(text,
              HasSubstr("flink_taskmanager_job_task_operator_checkpointAlignmentTime_count{"));

  const std::string path = ::testing::TempDir() + "/prometheus_view_metrics.txt";
  std::ofstream(path) << text;
  const std::string command = std::string(promtool) + " check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  int camel_case = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "should be written in 'snake_case' not 'camelCase'")) {
      ++camel_case;
      continue;
    }
    ADD_FAILURE() << "promtool: " << line << "\n--- input ---\n" << text;
  }
  EXPECT_GT(camel_case, 0);  // the lint did run
  // Exit 3 means lint problems only; anything else is a parse error.
  EXPECT_TRUE(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3))
      << output;
}

}  // namespace
}  // namespace vitals::gateway
