#pragma once

// A simulated fleet of Flink jobs on Flink clusters (one per job in
// application mode, shared in session mode). The library does no I/O: the
// caller advances time, switches faults, ends and redeploys jobs, and
// renders payloads with the format functions (pushgateway.h, scrape.h,
// statsd.h, influx.h), which report each process once, as Flink's
// reporters do; truth.h reads back exactly what they render.
// Deterministic given the spec's seed and the sequence of calls. Not
// thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sim/fault.h"
#include "sim/fleet_spec.h"
#include "sim/job_runtime.h"
#include "sim/layout.h"
#include "sim/reading.h"
#include "sim/sim_job.h"

namespace vitals::sim {

class ClusterModel;

class Fleet {
 public:
  // Validates `spec`; every job goes INITIALIZING → CREATED → RUNNING at
  // spec.start_ms.
  static absl::StatusOr<Fleet> Create(FleetSpec spec);

  const FleetSpec& spec() const { return spec_; }
  // Node names (`node-00` …).
  const std::vector<std::string>& nodes() const { return nodes_; }
  const std::vector<SimJob>& jobs() const { return jobs_; }
  // The Flink clusters the jobs run on: the processes that report.
  const std::vector<FlinkCluster>& flink_clusters() const { return clusters_; }
  int64_t now_ms() const { return now_ms_; }

  // Evolves every job to `now_ms` (earlier times are ignored): counters
  // grow by rate × elapsed, checkpoints, failures and restarts happen in
  // order, gauges take their values for `now_ms`.
  void AdvanceTo(int64_t now_ms);

  // Faults act from the current time on; gauges change at once, counters
  // as time advances.
  absl::Status SetFault(int job_index, FaultKind kind, bool on);

  // Ends a job at the current time. kFinished: RUNNING → FINISHED, its task
  // and operator metrics gone. kCanceled: RUNNING or RESTARTING →
  // CANCELLING for spec.cancel_duration_ms → CANCELED. kFailed: the same
  // through FAILING (spec.fail_duration_ms) to FAILED. Terminal, the job
  // still reports (State and Time gauges 0, TimeTotal ones their totals,
  // uptime/downtime -1) for spec.terminal_linger_ms, then closes; an
  // application cluster then shuts down and its processes retire
  // (TakeRetired), a session cluster runs on. FailedPrecondition when its
  // status does not allow `end`.
  absl::Status EndJob(int job_index, JobEnd end);

  // Migrates a job at the current time: new job id, new processes (hosts,
  // tm ids, push groups), counters from zero; same name, same job graph,
  // faults kept. `version` changes the Flink version with it. Also
  // resubmits a job that ended. Application mode only: FailedPrecondition
  // for a job of a session cluster, whose processes it shares.
  absl::Status Redeploy(int job_index, std::string_view new_cluster,
                        std::optional<FlinkVersion> version = std::nullopt);

  // Processes that shut down gracefully since the last call (their push
  // groups are due a DELETE: pushgateway.h's AppendPushDeletes).
  std::vector<RetiredProcess> TakeRetired();

  // The reporting model the renderers walk: per Flink cluster, per process,
  // the families and the metric groups carrying them.
  const ClusterLayout& layout(int flink_cluster) const {
    return cluster_runtimes_[flink_cluster].layout;
  }
  Reading Read(int flink_cluster, const Group& group, const MetricDef& def) const;

 private:
  explicit Fleet(FleetSpec spec) : spec_(std::move(spec)) {}
  ClusterModel Model(int flink_cluster);

  FleetSpec spec_;
  std::vector<std::string> nodes_;
  std::vector<SimJob> jobs_;
  std::vector<JobRuntime> runtimes_;
  std::vector<FlinkCluster> clusters_;
  std::vector<ClusterRuntime> cluster_runtimes_;
  std::vector<RetiredProcess> retired_;
  uint64_t next_uid_ = 1;
  int64_t now_ms_ = 0;
};

}  // namespace vitals::sim
