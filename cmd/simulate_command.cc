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
  std::string log_level = "info";
  absl::Duration interval = absl::Seconds(10);
  int64_t rounds = 0;
  FlagSet flags("simulate", "[flags]",
                "Simulates a fleet of Flink jobs and pushes their metrics to gateways every\n"
                "interval, exactly as Flink's PrometheusPushGatewayReporter would (Flink's metric\n"
                "names and labels, one push group per JobManager/TaskManager process). Faults can\n"
                "be injected per job. Prints one line per round: requests, samples, failures.\n\n"
                "Example: vitals simulate --jobs 100 --faults job-003=checkpoint_failure");
  AddSimFlags(flags, &sim, "");
  flags.String("gateway", &gateways,
               "gateway base URL(s), comma-separated; node i pushes to URL i mod count");
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
  options.gateway_urls = absl::StrSplit(gateways, ',', absl::SkipWhitespace());
  absl::StatusOr<std::unique_ptr<sim::SimulationDriver>> driver =
      sim::SimulationDriver::Create(&*fleet, options);
  if (!driver.ok()) {
    std::fprintf(stderr, "vitals simulate: %s\n", std::string(driver.status().message()).c_str());
    return 2;
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
    if (stats.failed > 0) log::Warn("push failed", {{"error", stats.first_error}});
    if (rounds != 0 && round == rounds) break;
    const absl::Duration left = interval - (absl::Now() - start);
    if (WaitForSignal(std::max(left, absl::ZeroDuration())) == SignalEvent::kTerminate) break;
  }
  return 0;
}

}  // namespace vitals::cmd
