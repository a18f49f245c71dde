#include "cmd/sim_flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/strings.h"
#include "sim/driver/driver.h"
#include "sim/flink_version.h"

namespace vitals::cmd {
namespace {

absl::Status FlagError(const SimFlags& flags, std::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", flags.prefix, AsAbsl(name), ": ", why));
}

}  // namespace

void AddSimFlags(FlagSet& flags, SimFlags* sim, const std::string& prefix) {
  sim->prefix = prefix;
  flags.Int(prefix + "jobs", &sim->jobs,
            "simulated Flink jobs (one Flink cluster each, or see --" + prefix + "session-jobs)");
  flags.Int(prefix + "parallelism", &sim->parallelism, "parallelism of every operator");
  flags.Int(prefix + "operators", &sim->operators, "operators per job graph");
  flags.Int(prefix + "task-managers", &sim->task_managers, "TaskManagers per Flink cluster");
  flags.Int(prefix + "session-jobs", &sim->session_jobs,
            "jobs per session cluster, whose processes report once for all their jobs; 1: "
            "application mode, a cluster per job");
  flags.Int(prefix + "nodes", &sim->nodes, "nodes the processes are spread over");
  flags.Int(prefix + "seed", &sim->seed, "random seed (same seed, same fleet)");
  flags.String(prefix + "flink-version", &sim->version,
               "Flink metric naming: 1.10, 1.12, 1.14, 1.17, 1.19 or 2.0");
  flags.String(prefix + "clusters", &sim->clusters,
               "comma-separated cluster labels (k8s-… or yarn-…), jobs spread over them; "
               "pushed as a `cluster` grouping key, which a gateway takes only with "
               "gateway.pushgateway.cluster_override");
  flags.String(prefix + "teams", &sim->teams,
               "comma-separated owning teams, jobs spread over them (a `team` grouping key / "
               "target label); empty: none");
  flags.String(prefix + "faults", &sim->faults,
               "faults to inject: job=fault,… with fault one of backpressure, "
               "checkpoint_failure, restarts, gc_pressure, cpu_saturation, source_lag, skew");
  flags.Duration(prefix + "uptime", &sim->uptime,
                 "how long the simulated jobs have been running at the start (0s: just started)");
  flags.String(prefix + "push-job-name", &sim->push_job_name,
               "Pushgateway reporter jobName: \"\" is Flink's default, a fixed name such as "
               "`flink` is what fleet-wide flink-conf files set, `{job_name}` gives each job's own "
               "name (default: \"\")");
  flags.Bool(prefix + "push-random-suffix", &sim->push_random_suffix,
             "Pushgateway reporter randomJobNameSuffix: 32 random hex characters per process "
             "after the jobName, as Flink's default; off: --" +
                 prefix + "push-random-suffix=false");
  flags.String(prefix + "job-status-metrics", &sim->job_status_metrics,
               "metrics.job.status.enable (Flink 1.15+): comma-separated state, current_time, "
               "total_time");
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
  if (!version.ok()) return FlagError(flags, "flink-version", version.status().message());
  spec.version = *version;
  spec.clusters = absl::StrSplit(flags.clusters, ',', absl::SkipWhitespace());
  spec.teams = absl::StrSplit(flags.teams, ',', absl::SkipWhitespace());
  if (flags.session_jobs < 1 || flags.session_jobs > 1'000) {
    return FlagError(flags, "session-jobs",
                     absl::StrCat(flags.session_jobs, " is out of range [1, 1000]"));
  }
  spec.session_jobs = static_cast<int>(flags.session_jobs);
  spec.reporter.push_job_name = flags.push_job_name;
  spec.reporter.random_job_name_suffix = flags.push_random_suffix;
  absl::StatusOr<sim::JobStatusMetricSet> status_metrics =
      sim::JobStatusMetricSet::Parse(flags.job_status_metrics);
  if (!status_metrics.ok()) {
    return FlagError(flags, "job-status-metrics", status_metrics.status().message());
  }
  spec.job_status_metrics = *status_metrics;
  absl::StatusOr<sim::Fleet> fleet = sim::Fleet::Create(spec);
  if (!fleet.ok()) return fleet.status();
  if (absl::Status s = sim::ApplyFaultSpec(*fleet, flags.faults); !s.ok()) {
    return FlagError(flags, "faults", s.message());
  }
  return fleet;
}

}  // namespace vitals::cmd
