// `vitals gateway` as a real process against the embedded Kafka: what the
// node pays in broker connections, and what SIGTERM guarantees.

#include "test/integration/support/gateway_process.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/base/strings.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "sim/driver/driver.h"
#include "sim/fleet.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals {
namespace {

// Socket inodes the process holds open.
std::set<std::string> SocketInodes(pid_t pid) {
  std::set<std::string> inodes;
  const std::string dir = absl::StrCat("/proc/", pid, "/fd");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = readdir(d)) {
    char target[256];
    const std::string link = dir + "/" + e->d_name;
    const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    std::string t(target, static_cast<size_t>(n));
    if (t.rfind("socket:[", 0) == 0) inodes.insert(t.substr(8, t.size() - 9));
  }
  closedir(d);
  return inodes;
}

// Established TCP connections of `pid` whose remote port is in `ports`.
int ConnectionsTo(pid_t pid, const std::set<int>& ports) {
  const std::set<std::string> inodes = SocketInodes(pid);
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);  // header
  int count = 0;
  while (std::getline(tcp, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 10 || f[3] != "01") continue;  // 01 = ESTABLISHED
    const std::string remote_port_hex = f[2].substr(f[2].find(':') + 1);
    const int remote_port = std::stoi(remote_port_hex, nullptr, 16);
    if (ports.count(remote_port) && inodes.count(f[9])) ++count;
  }
  return count;
}

std::set<int> BrokerPorts(const std::string& bootstrap) {
  std::set<int> ports;
  for (absl::string_view hostport : absl::StrSplit(bootstrap, ',')) {
    int port = 0;
    if (absl::SimpleAtoi(hostport.substr(hostport.rfind(':') + 1), &port)) ports.insert(port);
  }
  return ports;
}

class GatewayProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::VitalsBinary().empty());
    auto cluster = kafka::EmbeddedCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("flink.metrics", 6).ok());
  }

  void StartGateway(std::string_view interval) {
    auto gateway = testing::GatewayProcess::Start(absl::StrCat("gateway:\n"
                                                               "  listen: 127.0.0.1:0\n"
                                                               "  statsd:\n"
                                                               "    listen: 127.0.0.1:0\n"
                                                               "  aggregation:\n"
                                                               "    interval: ",
                                                               AsAbsl(interval),
                                                               "\n"
                                                               "  kafka:\n"
                                                               "    properties:\n"
                                                               "      bootstrap.servers: ",
                                                               cluster_->bootstrap_servers(), "\n"),
                                                  absl::Seconds(20));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
  }

  std::unique_ptr<sim::Fleet> MakeFleet(int jobs, int tms) {
    sim::FleetSpec spec;
    spec.jobs = jobs;
    spec.task_managers = tms;
    spec.nodes = 1;
    spec.clusters = {"k8s-test"};
    spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
    auto fleet = sim::Fleet::Create(spec);
    EXPECT_TRUE(fleet.ok());
    return std::make_unique<sim::Fleet>(std::move(*fleet));
  }

  // Every process of `fleet` (JobManagers and TaskManagers) pushes once.
  void Push(sim::Fleet& fleet) {
    if (!driver_) {
      sim::DriverOptions options;
      options.gateway_urls = {gateway_->url()};
      auto driver = sim::SimulationDriver::Create(&fleet, options);
      ASSERT_TRUE(driver.ok());
      driver_ = std::move(*driver);
    }
    sim::RoundStats stats = driver_->Round(absl::ToUnixMillis(absl::Now()));
    EXPECT_EQ(stats.failed, 0u) << stats.first_error;
    size_t processes = 0;
    for (const sim::SimJob& job : fleet.jobs()) processes += job.processes.size();
    EXPECT_EQ(stats.requests, processes);
  }

  // `jobs` × (JobManager + `tms` TaskManagers) processes push once.
  std::unique_ptr<sim::Fleet> PushFleet(int jobs, int tms) {
    std::unique_ptr<sim::Fleet> fleet = MakeFleet(jobs, tms);
    Push(*fleet);
    return fleet;
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<testing::GatewayProcess> gateway_;
  std::unique_ptr<sim::SimulationDriver> driver_;
};

TEST_F(GatewayProcessTest, TwoHundredPodsCostAtMostFourBrokerConnections) {
  StartGateway("60s");
  auto fleet = PushFleet(/*jobs=*/40, /*tms=*/4);  // 40 JobManagers + 160 TaskManagers
  // Let the producer connect to whatever brokers it wants.
  absl::SleepFor(absl::Seconds(6));
  const int connections =
      ConnectionsTo(gateway_->child().pid(), BrokerPorts(cluster_->bootstrap_servers()));
  EXPECT_GE(connections, 1);
  EXPECT_LE(connections, 4) << "the gateway holds " << connections << " broker connections";
  EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
      << gateway_->child().Stderr();
}

// What one Prometheus target per node costs: the view of 200 pods holds one
// series per job, operator and metric, never one per subtask or pod, and
// promtool finds nothing wrong with it but Flink's camelCase names.
TEST_F(GatewayProcessTest, TwoHundredPodsExportJobsTimesOperatorsTimesMetricsSeries) {
  StartGateway("2s");
  auto fleet = MakeFleet(/*jobs=*/40, /*tms=*/4);
  // Two rounds an interval apart, so counters have a baseline and a delta.
  Push(*fleet);
  absl::SleepFor(absl::Seconds(2));
  Push(*fleet);
  std::string view;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(500));
    auto metrics = gateway_->Metrics();
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    if (testing::SampleSum(*metrics, "flink_jobmanager_job_numberOfCompletedCheckpoints") >= 0) {
      view = std::move(*metrics);
      break;
    }
  }
  ASSERT_FALSE(view.empty()) << "no flushed interval in /metrics";

  std::set<std::string> names;
  std::map<std::string, int> series_per_job;
  int series = 0;
  for (absl::string_view line : absl::StrSplit(view, '\n', absl::SkipEmpty())) {
    if (line[0] == '#' || absl::StartsWith(line, "vitals_")) continue;
    const absl::string_view name = line.substr(0, line.find_first_of("{ "));
    names.insert(std::string(name));
    ++series;
    for (absl::string_view folded :
         {"subtask_index=", "tm_id=", "host=", "task_attempt_id=", "task_attempt_num="}) {
      EXPECT_FALSE(absl::StrContains(line, folded)) << "per-instance series: " << line;
    }
    const size_t job_at = line.find("job_name=\"");
    ASSERT_NE(job_at, absl::string_view::npos) << line;
    const size_t value_at = job_at + 10;
    ++series_per_job[std::string(line.substr(value_at, line.find('"', value_at) - value_at))];
  }
  ASSERT_EQ(series_per_job.size(), fleet->jobs().size());
  size_t bound = 0;
  for (const sim::SimJob& job : fleet->jobs()) bound += job.operators.size() * names.size();
  EXPECT_LE(static_cast<size_t>(series), bound);

  const char* promtool = "/usr/bin/promtool";
  ASSERT_TRUE(std::filesystem::exists(promtool)) << "scripts/setup installs prometheus";
  const std::string path = ::testing::TempDir() + "/two_hundred_pods.prom";
  std::ofstream(path) << view;
  FILE* pipe = popen((std::string(promtool) + " check metrics < " + path + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "should be written in 'snake_case' not 'camelCase'")) continue;
    // Flink forwards Kafka client gauges ending in _count/_total as they are.
    if (absl::StrContains(line, "non-histogram and non-summary metrics should not have") &&
        absl::StrContains(line, "Kafka")) {
      continue;
    }
    ADD_FAILURE() << "promtool: " << line;
  }
  EXPECT_TRUE(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3))
      << output;
  EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0));
}

// SIGHUP re-reads the config: new fold rules show in the next intervals'
// aggregates, the process keeps running, and a broken file is refused.
TEST_F(GatewayProcessTest, SighupReloadsFoldRulesAndRefusesAnIntervalChange) {
  StartGateway("1s");
  auto fleet = MakeFleet(/*jobs=*/2, /*tms=*/2);
  const auto view_has = [&](std::string_view needle) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      Push(*fleet);
      absl::SleepFor(absl::Milliseconds(500));
      auto metrics = gateway_->Metrics();
      if (metrics.ok() && absl::StrContains(*metrics, AsAbsl(needle))) return true;
    }
    return false;
  };
  ASSERT_TRUE(view_has("flink_taskmanager_job_task_busyTimeMsPerSecond{"));
  auto metrics = gateway_->Metrics();
  ASSERT_TRUE(metrics.ok());
  EXPECT_FALSE(absl::StrContains(*metrics, "subtask_index=\""));

  // Keep subtask_index from now on; and a key read at start only changes
  // too, which the log names rather than applies.
  std::string config;
  {
    std::ifstream in(gateway_->config_path());
    config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string reloaded = absl::StrReplaceAll(
      config, {{"  aggregation:\n", "  aggregation:\n    fold_labels: [host, tm_id, source]\n"},
               {"gateway:\n", "gateway:\n  shutdown_timeout: 31s\n"}});
  ASSERT_NE(reloaded, config);
  std::ofstream(gateway_->config_path()) << reloaded;
  ASSERT_EQ(kill(gateway_->child().pid(), SIGHUP), 0);
  EXPECT_TRUE(view_has("subtask_index=\"")) << gateway_->child().Stderr();
  EXPECT_THAT(gateway_->child().Stderr(), ::testing::HasSubstr("config reloaded"));
  EXPECT_THAT(gateway_->child().Stderr(), ::testing::HasSubstr("keys=gateway.shutdown_timeout"));

  // A file that changes the interval is refused; the running config stays.
  std::ofstream(gateway_->config_path()) << "gateway:\n  aggregation:\n    interval: 5s\n";
  ASSERT_EQ(kill(gateway_->child().pid(), SIGHUP), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline &&
         !absl::StrContains(gateway_->child().Stderr(), "reload refused")) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(gateway_->child().Stderr(), ::testing::HasSubstr("aggregation.interval"));
  EXPECT_TRUE(view_has("subtask_index=\""));
  EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0));
}

TEST_F(GatewayProcessTest, SigtermMidIntervalDeliversTheOpenIntervalBeforeExit) {
  StartGateway("60s");  // SIGTERM comes in the middle of the first interval
  auto fleet = PushFleet(/*jobs=*/3, /*tms=*/2);
  // Mid-interval (60 s long): nothing has been flushed yet.
  EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
      << gateway_->child().Stderr();
  EXPECT_THAT(gateway_->child().Stderr(),
              ::testing::HasSubstr("every interval acknowledged by kafka"));

  auto consumer =
      kafka::KafkaConsumer::Create({{"bootstrap.servers", cluster_->bootstrap_servers()},
                                    {"group.id", "shutdown-check"},
                                    {"auto.offset.reset", "earliest"}},
                                   {"flink.metrics"});
  ASSERT_TRUE(consumer.ok());
  std::set<std::string> jobs;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (jobs.size() < 3 && absl::Now() < deadline) {
    auto message = (*consumer)->Poll(absl::Milliseconds(200));
    ASSERT_TRUE(message.ok());
    if (!message->has_value()) continue;
    v1::MetricBatch batch;
    ASSERT_TRUE(batch.ParseFromString((*message)->value));
    EXPECT_GT(batch.series_size(), 0);
    jobs.insert(batch.job_id());
  }
  for (const sim::SimJob& job : fleet->jobs()) EXPECT_TRUE(jobs.count(job.id)) << job.name;
}

}  // namespace
}  // namespace vitals
