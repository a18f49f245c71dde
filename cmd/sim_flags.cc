#include "cmd/sim_flags.h"

#include "absl/strings/str_split.h"
#include "sim/driver/driver.h"
#include "sim/flink_version.h"

namespace vitals::cmd {

void AddSimFlags(FlagSet& flags, SimFlags* sim, const std::string& prefix) {
  flags.Int(prefix + "jobs", &sim->jobs, "simulated Flink jobs (one Flink cluster each)");
  flags.Int(prefix + "parallelism", &sim->parallelism, "parallelism of every operator");
  flags.Int(prefix + "operators", &sim->operators, "operators per job graph");
  flags.Int(prefix + "task-managers", &sim->task_managers, "TaskManagers per job");
  flags.Int(prefix + "nodes", &sim->nodes, "nodes the processes are spread over");
  flags.Int(prefix + "seed", &sim->seed, "random seed (same seed, same fleet)");
  flags.String(prefix + "flink-version", &sim->version,
               "Flink metric naming: 1.10, 1.12, 1.14, 1.17, 1.19 or 2.0");
  flags.String(prefix + "clusters", &sim->clusters,
               "comma-separated cluster labels (k8s-… or yarn-…), jobs spread over them");
  flags.String(prefix + "teams", &sim->teams,
               "comma-separated owning teams, jobs spread over them (a `team` grouping key / "
               "target label); empty: none");
  flags.String(prefix + "faults", &sim->faults,
               "faults to inject: job=fault,… with fault one of backpressure, "
               "checkpoint_failure, restarts, gc_pressure, cpu_saturation, source_lag, skew");
  flags.Duration(prefix + "uptime", &sim->uptime,
                 "how long the simulated jobs have been running at the start (0s: just started)");
}

absl::StatusOr<sim::Fleet> BuildFleet(const SimFlags& flags, int64_t now_ms) {
  sim::FleetSpec spec;
  spec.jobs = static_cast<int>(flags.jobs);
  spec.parallelism = static_cast<int>(flags.parallelism);
  spec.operators = static_cast<int>(flags.operators);
  spec.task_managers = static_cast<int>(flags.task_managers);
  spec.nodes = static_cast<int>(flags.nodes);
  spec.seed = static_cast<uint64_t>(flags.seed);
  spec.start_ms = now_ms - absl::ToInt64Milliseconds(flags.uptime);
  absl::StatusOr<sim::FlinkVersion> version = sim::ParseFlinkVersion(flags.version);
  if (!version.ok()) return version.status();
  spec.version = *version;
  spec.clusters = absl::StrSplit(flags.clusters, ',', absl::SkipWhitespace());
  spec.teams = absl::StrSplit(flags.teams, ',', absl::SkipWhitespace());
  absl::StatusOr<sim::Fleet> fleet = sim::Fleet::Create(spec);
  if (!fleet.ok()) return fleet.status();
  if (absl::Status s = sim::ApplyFaultSpec(*fleet, flags.faults); !s.ok()) return s;
  return fleet;
}

}  // namespace vitals::cmd
