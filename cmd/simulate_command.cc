#include <cstdio>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cmd/commands.h"
#include "cmd/run_common.h"
#include "cmd/signals.h"
#include "cmd/sim_flags.h"
#include "common/log/log.h"
#include "sim/driver/driver.h"

namespace vitals::cmd {

int RunSimulate(const Args& args) {
  SimFlags sim;
  std::string gateways = "http://127.0.0.1:9091";
  std::string reporter = "pushgateway";
  std::string statsd_addresses;
  std::string scrape_listen = "127.0.0.1:9249";
  std::string file_sd = "vitals-sim-targets.json";
  std::string log_level = "info";
  absl::Duration interval = absl::Seconds(10);
  int64_t rounds = 0;
  FlagSet flags("simulate", "[flags]",
                "Simulates a fleet of Flink jobs and reports their metrics every interval exactly\n"
                "as one of Flink's stock reporters would (Flink's metric names and labels for the\n"
                "chosen Flink version, one report per JobManager/TaskManager process):\n"
                "  pushgateway  PrometheusPushGatewayReporter: HTTP pushes to --gateway\n"
                "  statsd       StatsDReporter: UDP datagrams to --statsd (default: the\n"
                "               gateway's host, port 8125)\n"
                "  influx       InfluxdbReporter: line protocol POSTed to --gateway/write\n"
                "  prometheus   PrometheusReporter: every process served on --scrape-listen\n"
                "               under /pods/<pod>/metrics, listed in the file_sd file --file-sd\n"
                "               for the gateway's scraper (gateway.scrape.files)\n"
                "Faults can be injected per job. Prints one line per round: requests, samples,\n"
                "failures.\n\n"
                "Example: vitals simulate --jobs 100 --faults job-003=checkpoint_failure\n"
                "         vitals simulate --reporter statsd --statsd 127.0.0.1:8125");
  AddSimFlags(flags, &sim, "");
  flags.String("gateway", &gateways,
               "gateway base URL(s), comma-separated; node i pushes to URL i mod count");
  flags.String("reporter", &reporter, "pushgateway, statsd, influx or prometheus");
  flags.String("statsd", &statsd_addresses,
               "StatsD host:port list, comma-separated (reporter statsd); node i sends to i mod "
               "count");
  flags.String("scrape-listen", &scrape_listen,
               "address serving the simulated PrometheusReporter endpoints (reporter prometheus)");
  flags.String("file-sd", &file_sd,
               "file_sd file(s) listing those endpoints, comma-separated, node i in i mod count "
               "(reporter prometheus)");
  flags.Duration("interval", &interval, "report interval (Flink's metrics.reporter.*.interval)");
  flags.Int("rounds", &rounds, "stop after this many rounds (0: until SIGTERM/Ctrl-C)");
  flags.String("log-level", &log_level, "debug, info, warn or error");
  int exit = 0;
  if (!ParseFlags(flags, args, &exit)) return exit;
  log::Level level;
  if (log::ParseLevel(log_level, &level)) log::SetLevel(level);

  absl::StatusOr<sim::Fleet> fleet = BuildFleet(sim, absl::ToUnixMillis(absl::Now()));
  if (!fleet.ok()) {
    std::fprintf(stderr, "vitals simulate: %s\n", std::string(fleet.status().message()).c_str());
    return 2;
  }
  sim::DriverOptions options;
  absl::StatusOr<sim::ReporterKind> kind = sim::ParseReporterKind(reporter);
  if (!kind.ok()) {
    std::fprintf(stderr, "vitals simulate: --reporter: %s\n",
                 std::string(kind.status().message()).c_str());
    return 2;
  }
  options.reporter = *kind;
  options.gateway_urls = absl::StrSplit(gateways, ',', absl::SkipWhitespace());
  options.statsd_addresses = absl::StrSplit(statsd_addresses, ',', absl::SkipWhitespace());
  options.scrape_listen = scrape_listen;
  options.file_sd_paths = absl::StrSplit(file_sd, ',', absl::SkipWhitespace());
  absl::StatusOr<std::unique_ptr<sim::SimulationDriver>> driver =
      sim::SimulationDriver::Create(&*fleet, options);
  if (!driver.ok()) {
    std::fprintf(stderr, "vitals simulate: %s\n", std::string(driver.status().message()).c_str());
    return 2;
  }
  if (const sim::ScrapeEndpoints* endpoints = (*driver)->scrape_endpoints()) {
    log::Info("serving PrometheusReporter endpoints",
              {{"port", std::to_string(endpoints->port())}, {"file_sd", file_sd}});
  }
  for (int64_t round = 1; rounds == 0 || round <= rounds; ++round) {
    const absl::Time start = absl::Now();
    sim::RoundStats stats = (*driver)->Round(absl::ToUnixMillis(start));
    log::Info("simulate round", {{"round", std::to_string(round)},
                                 {"requests", std::to_string(stats.requests)},
                                 {"samples", std::to_string(stats.samples)},
                                 {"bytes", std::to_string(stats.bytes)},
                                 {"failed", std::to_string(stats.failed)},
                                 {"took", absl::FormatDuration(absl::Now() - start)}});
    if (stats.failed > 0) log::Warn("report failed", {{"error", stats.first_error}});
    if (rounds != 0 && round == rounds) break;
    const absl::Duration left = interval - (absl::Now() - start);
    if (WaitForSignal(std::max(left, absl::ZeroDuration())) == SignalEvent::kTerminate) break;
  }
  return 0;
}

}  // namespace vitals::cmd
