// The simulator's I/O for each reporter, against real peers on loopback: a
// UDP socket for StatsD, an HTTP server for pushes and Influx writes, an
// HTTP client scraping the simulated PrometheusReporter endpoints that the
// file_sd file lists.

#include "sim/driver/driver.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/http/server.h"

namespace vitals::sim {
namespace {

using ::testing::HasSubstr;

Fleet MakeFleet(std::vector<std::string> teams = {}) {
  FleetSpec spec;
  spec.teams = std::move(teams);
  spec.jobs = 2;
  spec.task_managers = 2;
  spec.nodes = 1;
  spec.clusters = {"k8s-test"};
  spec.start_ms = 1'700'000'000'000;
  auto fleet = Fleet::Create(spec);
  EXPECT_TRUE(fleet.ok()) << fleet.status();
  return std::move(*fleet);
}

size_t Processes(const Fleet& fleet) {
  size_t n = 0;
  for (const SimJob& job : fleet.jobs()) n += job.processes.size();
  return n;
}

// Records every request it gets.
class Recorder {
 public:
  Recorder() : server_(http::ServerOptions{.address = "127.0.0.1"}) {
    server_.Route("", "/", [this](const http::Request& r) {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(std::string(r.method()) + " " + std::string(r.target()) + "\n" +
                          std::string(r.body()));
      return http::Response::Text(r.method() == "POST" && r.path() == "/write" ? 204 : 200, "");
    });
    EXPECT_TRUE(server_.Start().ok());
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", server_.port()); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  http::Server server_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

TEST(SimulationDriverTest, PushgatewayPushesOneGroupPerProcess) {
  Fleet fleet = MakeFleet({"payments"});
  Recorder recorder;
  DriverOptions options;
  options.gateway_urls = {recorder.url()};
  auto driver = SimulationDriver::Create(&fleet, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  const RoundStats stats = (*driver)->Round(fleet.spec().start_ms + 10'000);
  EXPECT_EQ(stats.failed, 0u) << stats.first_error;
  EXPECT_EQ(stats.requests, Processes(fleet));
  const std::vector<std::string> requests = recorder.requests();
  ASSERT_EQ(requests.size(), Processes(fleet));
  for (const std::string& r : requests) {
    EXPECT_TRUE(absl::StartsWith(r, "PUT /metrics/job/")) << r.substr(0, 200);
    EXPECT_THAT(r.substr(0, r.find('\n')), HasSubstr("/cluster/k8s-test/team/payments"));
  }
}

TEST(SimulationDriverTest, InfluxWritesLineProtocolPerProcess) {
  Fleet fleet = MakeFleet();
  Recorder recorder;
  DriverOptions options;
  options.reporter = ReporterKind::kInflux;
  options.gateway_urls = {recorder.url()};
  auto driver = SimulationDriver::Create(&fleet, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  const RoundStats stats = (*driver)->Round(fleet.spec().start_ms + 10'000);
  EXPECT_EQ(stats.failed, 0u) << stats.first_error;
  EXPECT_GT(stats.samples, 0u);
  const std::vector<std::string> requests = recorder.requests();
  ASSERT_EQ(requests.size(), Processes(fleet));
  bool job_metrics = false;
  for (const std::string& r : requests) {
    EXPECT_TRUE(absl::StartsWith(r, "POST /write?db=")) << r.substr(0, 200);
    EXPECT_TRUE(absl::StrContains(r, "manager_Status_JVM_")) << r.substr(0, 200);
    job_metrics |= absl::StrContains(r, "jobmanager_job_numRestarts,");
  }
  EXPECT_TRUE(job_metrics) << "the JobManagers write their jobs' metrics";
}

TEST(SimulationDriverTest, StatsdSendsDatagramsToTheGivenAddress) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof(at)), 0);
  socklen_t len = sizeof(at);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&at), &len), 0);
  int buffer = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));

  Fleet fleet = MakeFleet();
  DriverOptions options;
  options.reporter = ReporterKind::kStatsd;
  options.statsd_addresses = {absl::StrCat("127.0.0.1:", ntohs(at.sin_port))};
  auto driver = SimulationDriver::Create(&fleet, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  const RoundStats stats = (*driver)->Round(fleet.spec().start_ms + 10'000);
  EXPECT_EQ(stats.failed, 0u) << stats.first_error;
  ASSERT_GT(stats.requests, 0u);

  size_t datagrams = 0;
  std::string all;
  char payload[65536];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 500) > 0) {
    const ssize_t n = recv(fd, payload, sizeof(payload), 0);
    if (n <= 0) break;
    ++datagrams;
    all.append(payload, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_EQ(datagrams, stats.requests);
  EXPECT_THAT(all, HasSubstr("|g"));
  EXPECT_THAT(all, HasSubstr(".numRestarts:"));
}

// A bound loopback UDP socket that collects datagrams with their senders.
class UdpCollector {
 public:
  UdpCollector() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof(at)), 0);
    socklen_t len = sizeof(at);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&at), &len), 0);
    port_ = ntohs(at.sin_port);
    int buffer = 8 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  }
  ~UdpCollector() { close(fd_); }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  // (sender port, payload) of every datagram until none comes for 500 ms.
  std::vector<std::pair<uint16_t, std::string>> Drain() {
    std::vector<std::pair<uint16_t, std::string>> out;
    char payload[65536];
    pollfd p{fd_, POLLIN, 0};
    while (poll(&p, 1, 500) > 0) {
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      const ssize_t n =
          recvfrom(fd_, payload, sizeof(payload), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) break;
      out.emplace_back(ntohs(from.sin_port), std::string(payload, static_cast<size_t>(n)));
    }
    return out;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The process a StatsD line is from, under the default scope formats:
// `<host>.jobmanager` or `<host>.taskmanager.<tm_id>` (Kubernetes tm_ids
// have no dots).
std::string ProcessOf(std::string_view line) {
  if (const size_t at = line.find(".jobmanager."); at != std::string_view::npos) {
    return std::string(line.substr(0, at + 11));
  }
  if (const size_t at = line.find(".taskmanager."); at != std::string_view::npos) {
    return std::string(line.substr(0, line.find('.', at + 13)));
  }
  return "";
}

// Flink's StatsDReporter opens a DatagramSocket per process: a gateway
// tells processes apart by the sender's address.
TEST(SimulationDriverTest, StatsdSendsEachProcessFromASocketOfItsOwn) {
  UdpCollector collector;
  FleetSpec spec;
  spec.jobs = 4;
  spec.session_jobs = 2;
  spec.nodes = 1;
  spec.clusters = {"k8s-test"};
  spec.start_ms = 1'700'000'000'000;
  spec.reporter.statsd_max_datagram_bytes = 512;
  auto fleet = Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  DriverOptions options;
  options.reporter = ReporterKind::kStatsd;
  options.statsd_addresses = {collector.address()};
  auto driver = SimulationDriver::Create(&*fleet, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  const RoundStats stats = (*driver)->Round(spec.start_ms + 10'000);
  EXPECT_EQ(stats.failed, 0u) << stats.first_error;
  // Two sessions of 1 JobManager and 2 TaskManagers each.
  EXPECT_EQ((*driver)->statsd_sockets(), 6u);

  std::map<uint16_t, std::set<std::string>> processes_by_port;
  std::map<std::string, std::set<uint16_t>> ports_by_process;
  const auto datagrams = collector.Drain();
  EXPECT_EQ(datagrams.size(), stats.requests);
  for (const auto& [port, payload] : datagrams) {
    for (absl::string_view line : absl::StrSplit(payload, '\n')) {
      const std::string process = ProcessOf(std::string_view(line.data(), line.size()));
      ASSERT_FALSE(process.empty()) << line;
      processes_by_port[port].insert(process);
      ports_by_process[process].insert(port);
    }
  }
  EXPECT_EQ(processes_by_port.size(), 6u);
  EXPECT_EQ(ports_by_process.size(), 6u);
  for (const auto& [port, processes] : processes_by_port) EXPECT_EQ(processes.size(), 1u) << port;

  // The same sockets next round.
  (*driver)->Round(spec.start_ms + 20'000);
  for (const auto& [port, payload] : collector.Drain()) {
    EXPECT_TRUE(processes_by_port.count(port)) << port;
  }
}

// A process that is gone (crashed, or retired with its application
// cluster) closes its socket; its replacement opens a new one.
TEST(SimulationDriverTest, StatsdKeepsSocketsOfLiveProcessesOnly) {
  UdpCollector collector;
  Fleet fleet = MakeFleet();
  DriverOptions options;
  options.reporter = ReporterKind::kStatsd;
  options.statsd_addresses = {collector.address()};
  auto driver = SimulationDriver::Create(&fleet, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  const int64_t start = fleet.spec().start_ms;
  (*driver)->Round(start + 10'000);
  EXPECT_EQ((*driver)->statsd_sockets(), Processes(fleet));
  ASSERT_TRUE(fleet.SetFault(0, FaultKind::kRestarts, true).ok());
  (*driver)->Round(start + 40'000);  // a TaskManager of job 0 was replaced
  EXPECT_EQ((*driver)->statsd_sockets(), Processes(fleet));
  ASSERT_TRUE(fleet.EndJob(1, JobEnd::kFinished).ok());
  (*driver)->Round(start + 60'000);  // job 1's cluster shut down
  EXPECT_EQ(Processes(fleet), 3u);
  EXPECT_EQ((*driver)->statsd_sockets(), 3u);
  collector.Drain();
}

TEST(SimulationDriverTest, PrometheusServesEveryProcessListedInFileSd) {
  Fleet fleet = MakeFleet({"payments", "search"});
  DriverOptions options;
  options.reporter = ReporterKind::kPrometheus;
  const std::string file_sd = ::testing::TempDir() + "/sim_driver_targets.json";
  options.file_sd_paths = {file_sd};
  auto driver = SimulationDriver::Create(&fleet, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  const RoundStats stats = (*driver)->Round(fleet.spec().start_ms + 10'000);
  EXPECT_EQ(stats.failed, 0u) << stats.first_error;
  EXPECT_EQ(stats.requests, Processes(fleet));

  std::stringstream listed;
  listed << std::ifstream(file_sd).rdbuf();
  const std::string targets = listed.str();
  const std::string target = absl::StrCat("127.0.0.1:", (*driver)->scrape_endpoints()->port());
  size_t paths = 0;
  for (size_t at = targets.find("\"__metrics_path__\": \""); at != std::string::npos;
       at = targets.find("\"__metrics_path__\": \"", at + 1)) {
    const size_t start = at + 21;
    const std::string path = targets.substr(start, targets.find('"', start) - start);
    auto scraped = http::Fetch("GET", absl::StrCat("http://", target, path));
    ASSERT_TRUE(scraped.ok()) << scraped.status();
    EXPECT_EQ(scraped->status, 200) << path;
    EXPECT_THAT(scraped->body, HasSubstr("# TYPE flink_")) << path;
    ++paths;
  }
  EXPECT_EQ(paths, Processes(fleet));
  EXPECT_THAT(targets, HasSubstr(absl::StrCat("\"targets\": [\"", target, "\"]")));
  EXPECT_THAT(targets, HasSubstr("\"cluster\": \"k8s-test\", \"team\": \"payments\""));
  EXPECT_THAT(targets, HasSubstr("\"team\": \"search\""));
  EXPECT_EQ((*driver)->scrape_endpoints()->scrapes(), Processes(fleet));
  auto missing = http::Fetch("GET", absl::StrCat("http://", target, "/pods/nobody/metrics"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST(SimulationDriverTest, UnknownReporterIsRefusedByName) {
  EXPECT_FALSE(ParseReporterKind("graphite").ok());
  EXPECT_THAT(std::string(ParseReporterKind("graphite").status().message()),
              HasSubstr("pushgateway, statsd, influx or prometheus"));
  for (ReporterKind kind : {ReporterKind::kPushgateway, ReporterKind::kStatsd,
                            ReporterKind::kInflux, ReporterKind::kPrometheus}) {
    EXPECT_EQ(*ParseReporterKind(ReporterKindName(kind)), kind);
  }
}

}  // namespace
}  // namespace vitals::sim
