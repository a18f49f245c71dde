#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cmd/commands.h"
#include "cmd/run_common.h"
#include "cmd/signals.h"
#include "cmd/sim_flags.h"
#include "cmd/status_table.h"
#include "common/http/web_config.h"
#include "common/kafka/embedded_cluster.h"
#include "common/log/log.h"
#include "gateway/gateway.h"
#include "scorer/scorer.h"
#include "sim/driver/driver.h"

namespace vitals::cmd {
namespace {

// Runs the simulator against the in-process gateway every interval.
class SimulatorThread {
 public:
  SimulatorThread(sim::Fleet fleet, sim::DriverOptions options, absl::Duration interval)
      : fleet_(std::move(fleet)), options_(std::move(options)), interval_(interval) {}
  ~SimulatorThread() { Stop(); }

  absl::Status Start() {
    absl::StatusOr<std::unique_ptr<sim::SimulationDriver>> driver =
        sim::SimulationDriver::Create(&fleet_, options_);
    if (!driver.ok()) return driver.status();
    driver_ = std::move(*driver);
    thread_ = std::thread([this] { Loop(); });
    return absl::OkStatus();
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    while (!stop_) {
      const absl::Time start = absl::Now();
      sim::RoundStats stats = driver_->Round(absl::ToUnixMillis(start));
      if (stats.failed > 0) {
        log::Warn("simulator report failed",
                  {{"failed", std::to_string(stats.failed)}, {"error", stats.first_error}});
      }
      while (!stop_ && absl::Now() - start < interval_) absl::SleepFor(absl::Milliseconds(50));
    }
  }

  sim::Fleet fleet_;
  sim::DriverOptions options_;
  absl::Duration interval_;
  std::unique_ptr<sim::SimulationDriver> driver_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The web config of `path` (empty: none); a bad file was refused by the
// config's check already.
http::WebConfig WebConfigOf(const std::string& path) {
  if (path.empty()) return {};
  absl::StatusOr<http::WebConfig> web = http::LoadWebConfig(path);
  return web.ok() ? *web : http::WebConfig{};
}

std::string LocalUrl(uint16_t port, const http::WebConfig& web) {
  return absl::StrCat(web.tls_enabled() ? "https" : "http", "://127.0.0.1:", port);
}

}  // namespace

int RunStandalone(const Args& args) {
  CommonFlags common;
  SimFlags sim;
  sim.jobs = 0;
  std::string gateway_listen, scorer_listen, statsd_listen, web_config;
  absl::Duration interval = absl::ZeroDuration();
  int64_t brokers = 0;
  bool table = isatty(STDOUT_FILENO) != 0;
  std::string reporter = "pushgateway";
  FlagSet flags("standalone", "[--config FILE] [flags]",
                "Runs gateway + scorer + an embedded Kafka (librdkafka's mock cluster, real Kafka\n"
                "protocol on 127.0.0.1) in one process: for a laptop, a demo and tests. With\n"
                "--simulate-jobs N a simulated Flink fleet reports to the gateway (through the\n"
                "reporter of --simulate-reporter; `prometheus` also turns on the gateway's\n"
                "scraper with a file_sd file the simulator writes). A pushed `cluster` grouping\n"
                "key or Influx tag names its jobs' cluster, as the simulator plays several\n"
                "clusters (the cluster_override keys are turned on). Prints the URLs to look\n"
                "at and the Kafka bootstrap address (try kcat on it), then a table of job\n"
                "scores every interval (plain log lines when stdout is not a terminal).\n\n"
                "Example: vitals standalone --simulate-jobs 10 \\\n"
                "           --simulate-faults job-003=checkpoint_failure,job-007=backpressure");
  AddCommonFlags(flags, &common);
  flags.String("gateway-listen", &gateway_listen, "gateway HTTP address")
      .FromConfig("gateway.listen");
  flags.String("scorer-listen", &scorer_listen, "scorer HTTP address").FromConfig("scorer.listen");
  flags
      .String("web.config.file", &web_config,
              "TLS and basic-auth users for the gateway and the scorer, Prometheus' web config "
              "format (docs/security.md)")
      .FromConfig("gateway.web_config_file");
  flags.String("statsd-listen", &statsd_listen, "gateway StatsD UDP address")
      .FromConfig("gateway.statsd.listen");
  flags.Duration("interval", &interval, "aggregation and simulator interval")
      .FromConfig("gateway.aggregation.interval");
  flags.Int("brokers", &brokers, "embedded Kafka brokers").FromConfig("standalone.brokers");
  flags.Bool("table", &table, "show the job table every interval")
      .DefaultText("true when stdout is a terminal");
  AddSimFlags(flags, &sim, "simulate-");
  flags.String("simulate-reporter", &reporter,
               "how the simulated fleet reports: pushgateway, statsd, influx or prometheus");
  int exit = 0;
  if (!ParseFlags(flags, args, &exit)) return exit;
  VitalsConfig config;
  if (!LoadAndApply(common, &config)) return 1;
  if (!gateway_listen.empty()) config.gateway.listen = gateway_listen;
  if (!scorer_listen.empty()) config.scorer.listen = scorer_listen;
  if (!web_config.empty()) {
    config.gateway.web_config_file = web_config;
    config.scorer.web_config_file = web_config;
  }
  if (!statsd_listen.empty())
    config.gateway.receivers.of<gateway::StatsdReceiver>().listen = statsd_listen;
  if (interval > absl::ZeroDuration()) config.gateway.aggregation.interval = interval;
  if (brokers > 0) config.standalone.brokers = brokers;
  // One gateway stands for every node here, and the simulator plays jobs of
  // several clusters (Yarn and Kubernetes, moved between them) through it,
  // each naming its cluster in a `cluster` grouping key or tag: let those
  // count.
  config.gateway.push_cluster_override = true;
  config.gateway.receivers.of<gateway::InfluxReceiver>().normalize.cluster_override = true;
  absl::StatusOr<sim::ReporterKind> kind = sim::ParseReporterKind(reporter);
  if (!kind.ok()) {
    std::fprintf(stderr, "vitals standalone: --simulate-reporter: %s\n",
                 std::string(kind.status().message()).c_str());
    return 2;
  }
  // The simulated PrometheusReporter endpoints are listed in a file_sd
  // file of this process's own; the gateway scrapes what it lists.
  std::string file_sd;
  if (sim.jobs > 0 && *kind == sim::ReporterKind::kPrometheus) {
    file_sd = absl::StrCat("/tmp/vitals-standalone-", getpid(), "-targets.json");
    std::FILE* f = std::fopen(file_sd.c_str(), "w");
    if (f == nullptr) {
      std::fprintf(stderr, "vitals standalone: cannot write %s\n", file_sd.c_str());
      return 1;
    }
    std::fputs("[]\n", f);
    std::fclose(f);
    gateway::ScrapeOptions& scrape = config.gateway.receivers.of<gateway::Scraper>();
    scrape.enabled = true;
    scrape.files.push_back(file_sd);
    scrape.interval = config.gateway.aggregation.interval;
    scrape.timeout = config.gateway.aggregation.interval / 2;
    scrape.refresh_interval =
        std::min(scrape.refresh_interval, config.gateway.aggregation.interval);
  }
  if (absl::Status s = config.gateway.Validate(); !s.ok()) {
    std::fprintf(stderr, "vitals standalone: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (absl::Status s = config.scorer.Validate(); !s.ok()) {
    std::fprintf(stderr, "vitals standalone: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  const http::WebConfig gateway_web = WebConfigOf(config.gateway.web_config_file);
  const http::WebConfig scorer_web = WebConfigOf(config.scorer.web_config_file);
  // The simulator's HTTP reporters send plain HTTP without a user; the
  // gateway pulls from the prometheus one and StatsD has no auth.
  const bool http_reporter =
      *kind == sim::ReporterKind::kPushgateway || *kind == sim::ReporterKind::kInflux;
  if (sim.jobs > 0 && http_reporter && (gateway_web.tls_enabled() || gateway_web.auth_enabled())) {
    std::fprintf(stderr,
                 "vitals standalone: --simulate-reporter %s pushes plain HTTP without a user, "
                 "which the gateway's web config refuses; use statsd or prometheus\n",
                 reporter.c_str());
    return 2;
  }

  absl::StatusOr<std::unique_ptr<kafka::EmbeddedCluster>> cluster =
      kafka::EmbeddedCluster::Start(static_cast<int>(config.standalone.brokers));
  if (!cluster.ok()) {
    log::Error("embedded kafka failed", {{"error", std::string(cluster.status().message())}});
    return 1;
  }
  const int partitions = static_cast<int>(config.standalone.metrics_partitions);
  for (const std::string& topic :
       {config.gateway.kafka_sink.topic, config.scorer.health_topic, config.scorer.state_topic}) {
    if (absl::Status s = (*cluster)->CreateTopic(topic, partitions); !s.ok()) {
      log::Error("cannot create topic", {{"error", std::string(s.message())}});
      return 1;
    }
  }
  // Waves are few and read whole by every replica: one partition keeps
  // them in the order they were recorded.
  if (absl::Status s = (*cluster)->CreateTopic(config.scorer.waves_topic, 1); !s.ok()) {
    log::Error("cannot create topic", {{"error", std::string(s.message())}});
    return 1;
  }
  const std::string bootstrap = (*cluster)->bootstrap_servers();
  config.gateway.kafka_properties["bootstrap.servers"] = bootstrap;
  config.scorer.kafka_properties["bootstrap.servers"] = bootstrap;
  config.scorer.metrics_topic = config.gateway.kafka_sink.topic;

  gateway::Gateway gw(config.gateway);
  if (absl::Status s = gw.Start(); !s.ok()) {
    log::Error("gateway failed to start", {{"error", std::string(s.message())}});
    return 1;
  }
  scorer::Scorer replica(config.scorer);
  if (absl::Status s = replica.Start(); !s.ok()) {
    log::Error("scorer failed to start", {{"error", std::string(s.message())}});
    return 1;
  }

  const std::string gateway_url = LocalUrl(gw.http_port(), gateway_web);
  const std::string scorer_url = LocalUrl(replica.http_port(), scorer_web);
  std::printf(
      "vitals standalone is up\n"
      "  gateway (Pushgateway API)  %s/metrics/job/<job>\n"
      "  gateway metrics            %s/metrics\n"
      "  gateway StatsD / Influx    udp://127.0.0.1:%u   %s/write\n"
      "  scorer API                 %s/api/v1/jobs\n"
      "  scorer metrics             %s/metrics\n"
      "  kafka bootstrap            %s\n"
      "  try: kcat -b %s -t %s -C -c 1 -e\n",
      gateway_url.c_str(), gateway_url.c_str(), static_cast<unsigned>(gw.statsd_port()),
      gateway_url.c_str(), scorer_url.c_str(), scorer_url.c_str(), bootstrap.c_str(),
      bootstrap.c_str(), config.gateway.kafka_sink.topic.c_str());
  std::fflush(stdout);

  std::unique_ptr<SimulatorThread> simulator;
  if (sim.jobs > 0) {
    absl::StatusOr<sim::Fleet> fleet = BuildFleet(sim, absl::ToUnixMillis(absl::Now()));
    if (!fleet.ok()) {
      std::fprintf(stderr, "vitals standalone: %s\n",
                   std::string(fleet.status().message()).c_str());
      return 2;
    }
    sim::DriverOptions options;
    options.reporter = *kind;
    options.gateway_urls = {gateway_url};
    options.statsd_addresses = {absl::StrCat("127.0.0.1:", gw.statsd_port())};
    options.file_sd_paths = {file_sd};
    simulator = std::make_unique<SimulatorThread>(std::move(*fleet), std::move(options),
                                                  config.gateway.aggregation.interval);
    if (absl::Status s = simulator->Start(); !s.ok()) {
      log::Error("simulator failed to start", {{"error", std::string(s.message())}});
      return 1;
    }
    std::printf("  simulating %lld jobs through %s%s%s\n", static_cast<long long>(sim.jobs),
                reporter.c_str(), sim.faults.empty() ? "" : ", faults: ", sim.faults.c_str());
    std::fflush(stdout);
  }

  const bool ansi = table && isatty(STDOUT_FILENO) != 0;
  while (true) {
    const SignalEvent event = WaitForSignal(config.gateway.aggregation.interval);
    if (event == SignalEvent::kTerminate) break;
    if (!table) continue;
    std::string text = RenderStatusTable(replica.jobs().Latest(), ansi);
    if (ansi)
      text = absl::StrCat("\x1b[H\x1b[2J", "vitals standalone   scorer ", scorer_url,
                          "/api/v1/jobs   kafka ", bootstrap, "\n\n", text);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
  }
  log::Info("stopping standalone");
  if (simulator) simulator->Stop();
  const bool delivered = gw.Shutdown(absl::Now() + config.gateway.shutdown_timeout).ok();
  (void)replica.Shutdown(absl::Now() + config.scorer.shutdown_timeout);
  if (!file_sd.empty()) std::remove(file_sd.c_str());
  return delivered ? 0 : 1;
}

}  // namespace vitals::cmd
