#pragma once

// The fleet-shaping flags shared by `vitals simulate` and
// `vitals standalone --simulate-jobs`.

#include <string>

#include "absl/status/statusor.h"
#include "cmd/flags.h"
#include "sim/fleet.h"

namespace vitals::cmd {

struct SimFlags {
  int64_t jobs = 10;
  int64_t parallelism = 4;
  int64_t operators = 4;
  int64_t task_managers = 2;
  int64_t nodes = 1;
  int64_t seed = 1;
  std::string version = "1.17";
  std::string clusters = "k8s-prod-eu,yarn-prod-1";
  std::string teams;
  std::string faults;
  // How long the simulated jobs have been running when the simulation
  // starts: jobs that just started are (rightly) in their warm-up.
  absl::Duration uptime = absl::Minutes(15);
  // PrometheusPushGatewayReporter jobName and randomJobNameSuffix, Flink's
  // defaults.
  std::string push_job_name;
  bool push_random_suffix = true;
  // metrics.job.status.enable, Flink's default.
  std::string job_status_metrics = "current_time";
  // Jobs per session cluster; 1: application mode.
  int64_t session_jobs = 1;
  // The prefix the flags were registered under, to name them in errors.
  std::string prefix;
};

// Registers the flags under `prefix` (e.g. "simulate-" for standalone).
void AddSimFlags(FlagSet& flags, SimFlags* sim, const std::string& prefix);

// Builds the fleet, its jobs started `uptime` before `now_ms`, with its
// faults switched on. InvalidArgument naming the flag on a bad value.
absl::StatusOr<sim::Fleet> BuildFleet(const SimFlags& flags, int64_t now_ms);

}  // namespace vitals::cmd
