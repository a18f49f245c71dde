#pragma once

// What fleet to simulate and how its reporters are configured. Defaults
// give a small demo fleet; Validate() names the offending field.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sim/flink_version.h"
#include "sim/job_status.h"

namespace vitals::sim {

enum class ClusterKind { kKubernetes, kYarn };

// A cluster label names its kind by prefix: `k8s-…` or `yarn-…`.
absl::StatusOr<ClusterKind> ClusterKindOf(std::string_view cluster);

// In ReporterSpec::push_job_name, stands for the name of the Flink job.
inline constexpr std::string_view kJobNamePlaceholder = "{job_name}";

// Settings of the Flink metric reporters as a flink-conf.yaml would set them.
struct ReporterSpec {
  // PrometheusPushGatewayReporter `jobName`, taken literally, as Flink
  // takes it (PrometheusPushGatewayReporterOptions: default ""), except
  // that every `{job_name}` becomes the Flink job's name: a platform that
  // templates each application cluster's flink-conf per job (in a session
  // cluster, the name of its first job). Fleet-wide flink-conf files set
  // one fixed name (`flink`) or leave the default.
  std::string push_job_name;
  // `randomJobNameSuffix` (default true): the reporter factory appends
  // `new AbstractID()`, 32 lower-case hex characters, with no separator, so
  // that every process pushes to a group of its own.
  bool random_job_name_suffix = true;
  // `groupingKey` (k1=v1;k2=v2), in order.
  std::vector<std::pair<std::string, std::string>> grouping_key;
  // Also put the job's cluster into the grouping key under this label, as a
  // per-cluster flink-conf.yaml would; empty: don't. A gateway takes it as
  // the job's cluster only with gateway.pushgateway.cluster_override (which
  // `vitals standalone` turns on); otherwise its gateway.cluster stands.
  std::string cluster_grouping_label = "cluster";
  // The same for the job's team (FleetSpec::teams), when it has one: the
  // label a platform sets per team to route alerts.
  std::string team_grouping_label = "team";
  // Prometheus reporters' `filterLabelValueCharacters`.
  bool filter_label_value_characters = true;
  // StatsD lines are packed into datagrams of at most this many bytes,
  // newline-separated; 0 sends one line per datagram as Flink itself does.
  int statsd_max_datagram_bytes = 1432;
  // InfluxdbReporter `db` and `retentionPolicy`.
  std::string influx_db = "flink";
  std::string influx_retention_policy;
  // influxdb-java writes the millisecond timestamps Flink gives it as
  // nanoseconds (precision=n); false writes milliseconds with precision=ms.
  bool influx_nanosecond_timestamps = true;
};

struct FleetSpec {
  // J jobs, each its own Flink cluster in application mode unless
  // session_jobs says otherwise.
  int jobs = 10;
  // 1: application mode, one Flink cluster per job. N > 1: jobs
  // [k*N, (k+1)*N) are submitted to session cluster k, which has one
  // JobManager and `task_managers` TaskManagers with slots enough for all
  // its jobs' subtasks, and the cluster label (and team) of its first job.
  int session_jobs = 1;
  // N nodes the JobManager and TaskManager processes are placed on.
  int nodes = 3;
  // TaskManagers per Flink cluster.
  int task_managers = 2;
  // Parallelism of every operator.
  int parallelism = 4;
  // Operators per job graph: a Kafka source, transformations, a sink.
  int operators = 4;
  // Operators chained into one task (1: no chaining).
  int chain_length = 2;
  // Job i is named <prefix><i, zero-padded to 3 digits> (`job-007`).
  std::string job_name_prefix = "job-";
  // Node i is named <prefix><i, zero-padded to 2 digits> (`node-03`).
  std::string node_prefix = "node-";
  // Cluster labels, `k8s-…` or `yarn-…`; jobs are spread over them in turn.
  std::vector<std::string> clusters = {"k8s-prod-eu", "yarn-prod-1"};
  // Owning teams; job i belongs to teams[i % size]. Empty: no team labels.
  std::vector<std::string> teams;
  FlinkVersion version = FlinkVersion::k1_17;
  uint64_t seed = 1;
  // Fleet start; jobs start here with zero counters.
  int64_t start_ms = 1'700'000'000'000;
  int64_t checkpoint_interval_ms = 10'000;
  // Under FaultKind::kRestarts: time from one (re)start to the next failure,
  // and how long the job stays RESTARTING.
  int64_t restart_interval_ms = 20'000;
  int64_t restart_duration_ms = 3'000;
  // Fleet::EndJob: how long a job stays CANCELLING (kCanceled) or FAILING
  // (kFailed) before it is CANCELED or FAILED.
  int64_t cancel_duration_ms = 15'000;
  int64_t fail_duration_ms = 5'000;
  // How long a job that reached a terminal status keeps reporting (its
  // State and Time gauges 0, uptime/downtime -1) until its metric groups
  // close; an application cluster then shuts down (its processes retire
  // gracefully).
  int64_t terminal_linger_ms = 5'000;
  // `metrics.job.status.enable`: which JobStatusMetrics gauges jobs of
  // Flink 1.15+ register (Flink's default: CURRENT_TIME alone).
  JobStatusMetricSet job_status_metrics;
  // Mean records per second read by one source subtask.
  double records_per_second = 2'000;
  // Latency markers on (`metrics.latency.interval` > 0): adds the
  // taskmanager_job `latency` histograms, the one histogram Flink reports.
  bool latency_tracking = true;
  ReporterSpec reporter;

  absl::Status Validate() const;
};

// The team job `job_index` belongs to; empty when the spec names none.
std::string_view TeamOf(const FleetSpec& spec, int job_index);

}  // namespace vitals::sim
