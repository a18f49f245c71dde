#pragma once

// A simulated fleet of Flink jobs. The library does no I/O: the caller
// advances time, switches faults, redeploys jobs, and renders payloads
// with the format functions (pushgateway.h, scrape.h, statsd.h, influx.h);
// truth.h reads back exactly what they render. Deterministic given the
// spec's seed and the sequence of calls. Not thread-safe.

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

class Fleet {
 public:
  // Validates `spec`; every job starts RUNNING at spec.start_ms.
  static absl::StatusOr<Fleet> Create(FleetSpec spec);

  const FleetSpec& spec() const { return spec_; }
  // Node names (`node-00` …).
  const std::vector<std::string>& nodes() const { return nodes_; }
  const std::vector<SimJob>& jobs() const { return jobs_; }
  int64_t now_ms() const { return now_ms_; }

  // Evolves every job to `now_ms` (earlier times are ignored): counters
  // grow by rate × elapsed, checkpoints, failures and restarts happen in
  // order, gauges take their values for `now_ms`.
  void AdvanceTo(int64_t now_ms);

  // Faults act from the current time on; gauges change at once, counters
  // as time advances.
  absl::Status SetFault(int job_index, FaultKind kind, bool on);

  // Migrates a job at the current time: new job id, new processes (hosts,
  // tm ids, push groups), counters from zero; same name, same job graph,
  // faults kept. `version` changes the Flink version with it.
  absl::Status Redeploy(int job_index, std::string_view new_cluster,
                        std::optional<FlinkVersion> version = std::nullopt);

  // Processes that shut down gracefully since the last call (their push
  // groups are due a DELETE: pushgateway.h's RenderPushDeletes).
  std::vector<RetiredProcess> TakeRetired();

  // The reporting model the renderers walk: per job, per process, the
  // families and the metric groups carrying them.
  const JobLayout& layout(int job_index) const { return runtimes_[job_index].layout; }
  Reading Read(int job_index, const Group& group, const MetricDef& def) const;

 private:
  explicit Fleet(FleetSpec spec) : spec_(std::move(spec)) {}

  FleetSpec spec_;
  std::vector<std::string> nodes_;
  std::vector<SimJob> jobs_;
  std::vector<JobRuntime> runtimes_;
  std::vector<RetiredProcess> retired_;
  int64_t now_ms_ = 0;
};

}  // namespace vitals::sim
