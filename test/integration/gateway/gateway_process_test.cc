// `vitals gateway` as a real process against the embedded Kafka: what the
// node pays in broker connections, and what SIGTERM guarantees.

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "sim/driver/driver.h"
#include "sim/fleet.h"
#include "test/integration/support/child_process.h"
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
    config_ = ::testing::TempDir() + "/gateway_process_test.yaml";
    // A long interval: SIGTERM will come in the middle of it.
    std::ofstream(config_) << "gateway:\n"
                              "  listen: 127.0.0.1:0\n"
                              "  statsd:\n"
                              "    listen: 127.0.0.1:0\n"
                              "  aggregation:\n"
                              "    interval: 60s\n"
                              "  kafka:\n"
                              "    properties:\n"
                              "      bootstrap.servers: "
                           << cluster_->bootstrap_servers() << "\n";
    child_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::VitalsBinary(), "gateway", "--config", config_});
    ASSERT_TRUE(child_->Start());
    // The gateway logs its bound HTTP address on stderr when it started.
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline && port_ == 0) {
      const std::string err = child_->Stderr();
      constexpr std::string_view kStarted = "msg=\"gateway started\" listen=127.0.0.1:";
      const size_t at = err.find(kStarted);
      if (at != std::string::npos) port_ = std::atoi(err.c_str() + at + kStarted.size());
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_NE(port_, 0) << child_->Stderr();
  }

  // `jobs` × (JobManager + `tms` TaskManagers) processes push once.
  std::unique_ptr<sim::Fleet> PushFleet(int jobs, int tms) {
    sim::FleetSpec spec;
    spec.jobs = jobs;
    spec.task_managers = tms;
    spec.nodes = 1;
    spec.clusters = {"k8s-test"};
    spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
    auto fleet = sim::Fleet::Create(spec);
    EXPECT_TRUE(fleet.ok());
    auto owned = std::make_unique<sim::Fleet>(std::move(*fleet));
    sim::DriverOptions options;
    options.gateway_urls = {absl::StrCat("http://127.0.0.1:", port_)};
    auto driver = sim::SimulationDriver::Create(owned.get(), options);
    EXPECT_TRUE(driver.ok());
    sim::RoundStats stats = (*driver)->Round(absl::ToUnixMillis(absl::Now()));
    EXPECT_EQ(stats.failed, 0u) << stats.first_error;
    EXPECT_EQ(stats.requests, static_cast<size_t>(jobs * (tms + 1)));
    return owned;
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::string config_;
  std::unique_ptr<testing::ChildProcess> child_;
  int port_ = 0;
};

TEST_F(GatewayProcessTest, TwoHundredPodsCostAtMostFourBrokerConnections) {
  auto fleet = PushFleet(/*jobs=*/40, /*tms=*/4);  // 40 JobManagers + 160 TaskManagers
  // Let the producer connect to whatever brokers it wants.
  absl::SleepFor(absl::Seconds(6));
  const int connections = ConnectionsTo(child_->pid(), BrokerPorts(cluster_->bootstrap_servers()));
  EXPECT_GE(connections, 1);
  EXPECT_LE(connections, 4) << "the gateway holds " << connections << " broker connections";
  EXPECT_EQ(child_->Terminate(absl::Seconds(60)), std::optional<int>(0)) << child_->Stderr();
}

TEST_F(GatewayProcessTest, SigtermMidIntervalDeliversTheOpenIntervalBeforeExit) {
  auto fleet = PushFleet(/*jobs=*/3, /*tms=*/2);
  // Mid-interval (60 s long): nothing has been flushed yet.
  EXPECT_EQ(child_->Terminate(absl::Seconds(60)), std::optional<int>(0)) << child_->Stderr();
  EXPECT_THAT(child_->Stderr(), ::testing::HasSubstr("every interval acknowledged by kafka"));

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
