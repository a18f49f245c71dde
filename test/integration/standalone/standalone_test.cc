// `vitals standalone` end to end over real protocols: the simulator pushes
// Flink-shaped metrics over HTTP, the gateway publishes to the embedded
// Kafka, the scorer consumes and grades, and the test reads the grades over
// HTTP and the batches with its own Kafka consumer (and with kcat).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/kafka/consumer.h"
#include "google/protobuf/util/json_util.h"
#include "sim/driver/driver.h"
#include "sim/fleet.h"
#include "test/integration/support/child_process.h"
#include "vitals/v1/health.pb.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals {
namespace {

using ::testing::Contains;

constexpr absl::Duration kInterval = absl::Seconds(2);

class StandaloneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_FALSE(testing::VitalsBinary().empty()) << "VITALS_BINARY not set (run through ctest)";
    config_path_ = ::testing::TempDir() + "/standalone_test.yaml";
    std::ofstream(config_path_) << "gateway:\n"
                                   "  cluster: k8s-test\n"
                                   "  statsd:\n"
                                   "    listen: 127.0.0.1:0\n"
                                   "  aggregation:\n"
                                   "    interval: 2s\n"
                                   "scorer:\n"
                                   "  tick: 200ms\n"
                                   "  scoring:\n"
                                   "    grace: 500ms\n"
                                   "    warmup: 0s\n"
                                   "    min_intervals: 1\n";
    child_ = new testing::ChildProcess({testing::VitalsBinary(), "standalone", "--config",
                                        config_path_, "--gateway-listen", "127.0.0.1:0",
                                        "--scorer-listen", "127.0.0.1:0", "--table=false"});
    ASSERT_TRUE(child_->Start());
    auto gateway = child_->WaitForLine("gateway metrics", absl::Seconds(30));
    auto scorer = child_->WaitForLine("scorer API", absl::Seconds(5));
    auto bootstrap = child_->WaitForLine("kafka bootstrap", absl::Seconds(5));
    ASSERT_TRUE(gateway && scorer && bootstrap) << child_->Stderr();
    gateway_url_ = gateway->substr(0, gateway->rfind("/metrics"));
    scorer_jobs_url_ = *scorer;
    bootstrap_ = *bootstrap;

    // One healthy job, one whose checkpoints fail.
    sim::FleetSpec spec;
    spec.jobs = 2;
    spec.nodes = 1;
    spec.clusters = {"k8s-test"};
    spec.start_ms = absl::ToUnixMillis(absl::Now());
    // Checkpoints more often than intervals close, so that each interval
    // holds checkpoint outcomes to grade.
    spec.checkpoint_interval_ms = 1000;
    auto fleet = sim::Fleet::Create(spec);
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet_ = new sim::Fleet(std::move(*fleet));
    ASSERT_TRUE(fleet_->SetFault(1, sim::FaultKind::kCheckpointFailure, true).ok());
    sim::DriverOptions options;
    options.gateway_urls = {gateway_url_};
    auto driver = sim::SimulationDriver::Create(fleet_, options);
    ASSERT_TRUE(driver.ok());
    driver_ = driver->release();

    // A second fleet as many platforms configure the reporter: one fixed
    // jobName for every process (`flink`, plus Flink's random suffix),
    // where the first uses Flink's defaults (jobName "").
    spec.jobs = 2;
    spec.job_name_prefix = "fixed-";
    spec.seed += 1;  // its own job ids and AbstractIDs
    spec.reporter.push_job_name = "flink";
    auto fixed = sim::Fleet::Create(spec);
    ASSERT_TRUE(fixed.ok()) << fixed.status();
    fixed_fleet_ = new sim::Fleet(std::move(*fixed));
    auto fixed_driver = sim::SimulationDriver::Create(fixed_fleet_, options);
    ASSERT_TRUE(fixed_driver.ok());
    fixed_driver_ = fixed_driver->release();
  }

  static void TearDownTestSuite() {
    if (child_ != nullptr) {
      // SIGTERM: the gateway flushes and waits for Kafka; a clean exit is 0.
      std::optional<int> code = child_->Terminate(absl::Seconds(60));
      EXPECT_EQ(code, std::optional<int>(0)) << child_->Stderr();
    }
    delete fixed_driver_;
    delete fixed_fleet_;
    delete driver_;
    delete fleet_;
    delete child_;
  }

  // One simulator round now; fails the test on push errors.
  static void PushRound() {
    for (sim::SimulationDriver* driver : {driver_, fixed_driver_}) {
      sim::RoundStats stats = driver->Round(absl::ToUnixMillis(absl::Now()));
      ASSERT_EQ(stats.failed, 0u) << stats.first_error;
      ASSERT_GT(stats.samples, 0u);
    }
  }

  static std::map<std::string, v1::HealthReport> Reports() {
    std::map<std::string, v1::HealthReport> out;
    auto response = http::Fetch("GET", scorer_jobs_url_);
    if (!response.ok() || response->status != 200) return out;
    v1::JobList list;
    if (!google::protobuf::util::JsonStringToMessage(response->body, &list).ok()) return out;
    for (const auto& r : list.jobs()) out[r.job_name()] = r;
    return out;
  }

  // Flink's PrometheusReporter (and so every path of the gateway) filters
  // label values to [a-zA-Z0-9:_]: `job-000` is known as `job_000`.
  static std::string Filtered(std::string name) {
    for (char& c : name) {
      if (!isalnum(static_cast<unsigned char>(c)) && c != ':') c = '_';
    }
    return name;
  }
  static std::string Identity(int job_index) { return Filtered(fleet_->jobs()[job_index].name); }

  // Every Flink job of both fleets, as the gateway names them.
  static std::set<std::string> FlinkJobs() {
    std::set<std::string> jobs;
    for (const sim::Fleet* fleet : {fleet_, fixed_fleet_}) {
      for (const sim::SimJob& job : fleet->jobs()) jobs.insert(Filtered(job.name));
    }
    return jobs;
  }

  static std::string WorstDimension(const v1::HealthReport& report) {
    const v1::DimensionScore* worst = nullptr;
    for (const auto& d : report.dimensions()) {
      if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
      if (worst == nullptr || d.score() < worst->score()) worst = &d;
    }
    return worst == nullptr ? "" : worst->dimension();
  }

  static inline std::string config_path_;
  static inline testing::ChildProcess* child_ = nullptr;
  static inline sim::Fleet* fleet_ = nullptr;
  static inline sim::SimulationDriver* driver_ = nullptr;
  static inline sim::Fleet* fixed_fleet_ = nullptr;
  static inline sim::SimulationDriver* fixed_driver_ = nullptr;
  static inline std::string gateway_url_, scorer_jobs_url_, bootstrap_;
};

TEST_F(StandaloneTest, FaultedJobScoresLowerWithCheckpointWorstWithinThreeIntervals) {
  const std::string healthy = Identity(0);
  const std::string faulted = Identity(1);
  // Push every interval; count intervals from the first report the scorer
  // has for both jobs.
  int intervals_since_first_report = -1;
  std::map<std::string, v1::HealthReport> reports;
  const absl::Time deadline = absl::Now() + 20 * kInterval;
  while (absl::Now() < deadline) {
    PushRound();
    absl::SleepFor(kInterval);
    reports = Reports();
    if (!reports.count(healthy) || !reports.count(faulted)) continue;
    ++intervals_since_first_report;
    const bool separated = reports[faulted].score() < reports[healthy].score() &&
                           WorstDimension(reports[faulted]) == "checkpoint";
    if (separated) break;
    ASSERT_LT(intervals_since_first_report, 3)
        << "after 3 intervals: healthy " << reports[healthy].DebugString() << "\nfaulted "
        << reports[faulted].DebugString();
  }
  ASSERT_TRUE(reports.count(faulted)) << "no report for the faulted job\n" << child_->Stderr();
  EXPECT_LT(reports[faulted].score(), reports[healthy].score());
  EXPECT_EQ(WorstDimension(reports[faulted]), "checkpoint") << reports[faulted].DebugString();
  EXPECT_EQ(reports[faulted].job_id(), fleet_->jobs()[1].id);

  // The same report is served by job name and by job id.
  auto by_id = http::Fetch("GET", absl::StrCat(scorer_jobs_url_, "/", fleet_->jobs()[1].id));
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->status, 200);
  EXPECT_THAT(by_id->body, ::testing::HasSubstr(faulted));
  // The score is on the scorer's /metrics.
  auto metrics =
      http::Fetch("GET", scorer_jobs_url_.substr(0, scorer_jobs_url_.find("/api")) + "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("flink_job_health_score{"));
  EXPECT_THAT(metrics->body, ::testing::HasSubstr(absl::StrCat("job_name=\"", faulted, "\"")));
}

// The name a reporter pushes under is the reporter's (jobName + a random
// 32-hex suffix; jobName defaults to "" and is often one fixed name): it
// must never show up as a job, wherever jobs are listed.
TEST_F(StandaloneTest, NoReporterGroupNameIsEverAJob) {
  const std::set<std::string> flink_jobs = FlinkJobs();
  std::map<std::string, v1::HealthReport> reports;
  const absl::Time deadline = absl::Now() + 20 * kInterval;
  while (absl::Now() < deadline) {
    PushRound();
    absl::SleepFor(kInterval);
    reports = Reports();
    if (reports.size() >= flink_jobs.size()) break;
  }
  std::set<std::string> listed;
  for (const auto& [name, report] : reports) {
    listed.insert(name);
    // GC and CPU reached every job: its processes' JVM figures.
    for (const auto& d : report.dimensions()) {
      if (d.dimension() == "gc" || d.dimension() == "cpu") {
        EXPECT_NE(d.state(), v1::DIMENSION_STATE_UNKNOWN) << name << ": " << d.explanation();
      }
    }
    EXPECT_EQ(report.state(), "running") << name;
  }
  EXPECT_EQ(listed, flink_jobs) << child_->Stderr();

  // The scorer's /metrics: every job_name label is a Flink job.
  auto metrics =
      http::Fetch("GET", scorer_jobs_url_.substr(0, scorer_jobs_url_.find("/api")) + "/metrics");
  ASSERT_TRUE(metrics.ok());
  std::set<std::string> in_metrics;
  for (size_t at = metrics->body.find("job_name=\""); at != std::string::npos;
       at = metrics->body.find("job_name=\"", at + 1)) {
    const size_t begin = at + 10;
    in_metrics.insert(metrics->body.substr(begin, metrics->body.find('"', begin) - begin));
  }
  EXPECT_EQ(in_metrics, flink_jobs);
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("flink_job_state{"));

  // flink.health: every report's key and job name.
  auto consumer = kafka::KafkaConsumer::Create({{"bootstrap.servers", bootstrap_},
                                                {"group.id", "integration-health-reader"},
                                                {"auto.offset.reset", "earliest"}},
                                               {"flink.health"});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::set<std::string> in_health;
  const absl::Time read_until = absl::Now() + absl::Seconds(20);
  while (in_health.size() < flink_jobs.size() && absl::Now() < read_until) {
    auto message = (*consumer)->Poll(absl::Milliseconds(200));
    ASSERT_TRUE(message.ok()) << message.status();
    if (!message->has_value()) continue;
    v1::HealthReport report;
    ASSERT_TRUE(report.ParseFromString((*message)->value));
    EXPECT_EQ((*message)->key, report.job_name());
    EXPECT_TRUE(flink_jobs.contains(report.job_name())) << report.job_name();
    in_health.insert(report.job_name());
  }
  EXPECT_EQ(in_health, flink_jobs);
  (*consumer)->Close();
}

TEST_F(StandaloneTest, AnOutsideConsumerDecodesMetricBatchesKeyedByJobName) {
  PushRound();
  auto consumer = kafka::KafkaConsumer::Create({{"bootstrap.servers", bootstrap_},
                                                {"group.id", "integration-reader"},
                                                {"auto.offset.reset", "earliest"}},
                                               {"flink.metrics"});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::set<std::string> job_ids;
  std::set<std::string> keys;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (job_ids.size() < FlinkJobs().size() && absl::Now() < deadline) {
    auto message = (*consumer)->Poll(absl::Milliseconds(200));
    ASSERT_TRUE(message.ok()) << message.status();
    if (!message->has_value()) continue;
    v1::MetricBatch batch;
    ASSERT_TRUE(batch.ParseFromString((*message)->value));
    EXPECT_EQ((*message)->key, batch.job_name());
    EXPECT_GT(batch.series_size(), 0);
    EXPECT_EQ(batch.interval_length_ms(), absl::ToInt64Milliseconds(kInterval));
    EXPECT_EQ(batch.interval_start_ms() % batch.interval_length_ms(), 0);
    job_ids.insert(batch.job_id());
    keys.insert((*message)->key);
  }
  EXPECT_THAT(job_ids, Contains(fleet_->jobs()[0].id));
  EXPECT_THAT(job_ids, Contains(fleet_->jobs()[1].id));
  EXPECT_THAT(keys, Contains(Identity(0)));
  EXPECT_THAT(keys, Contains(Identity(1)));
  (*consumer)->Close();
}

TEST_F(StandaloneTest, KcatReadsTheMetricsTopic) {
  PushRound();
  const std::string command =
      absl::StrCat("timeout 30 kcat -b ", bootstrap_, " -t flink.metrics -C -c 1 -e -q 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << output.substr(0, 500);
  // A serialized MetricBatch carries the job's name as a plain string.
  bool named = false;
  for (const std::string& job : FlinkJobs()) named = named || output.find(job) != std::string::npos;
  EXPECT_TRUE(named) << output.substr(0, 500);
}

}  // namespace
}  // namespace vitals
