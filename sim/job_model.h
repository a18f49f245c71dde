#pragma once

// Internal to the simulator: how one job evolves. Deployment creates the
// processes and zeroes the counters; time integrates rates and fires
// checkpoints, failures and restarts in order; faults change the rates and
// gauges from the next moment on.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/fault.h"
#include "sim/fleet_spec.h"
#include "sim/job_runtime.h"
#include "sim/sim_job.h"

namespace vitals::sim {

class JobModel {
 public:
  JobModel(const FleetSpec& spec, const std::vector<std::string>& node_names, SimJob& job,
           JobRuntime& runtime)
      : spec_(spec), nodes_(node_names), job_(job), rt_(runtime) {}

  // Job `index` of the fleet, first deployed on `cluster` at spec.start_ms.
  void Create(int index, std::string_view cluster);
  // A migration at the current time: the old processes retire gracefully
  // (appended to `retired`), a new deployment starts with a new job id,
  // new processes and zero counters.
  void Redeploy(std::string_view cluster, FlinkVersion version,
                std::vector<RetiredProcess>* retired);
  void AdvanceTo(int64_t now_ms);
  void SetFault(FaultKind kind, bool on);
  // Rebuilds the layout if identities or the running state changed.
  void RefreshLayout();

 private:
  void Deploy(std::string_view cluster, FlinkVersion version, int64_t at_ms);
  SimProcess NewProcess(ProcessKind kind, int node, int64_t at_ms);
  ProcessState NewProcessState(ProcessKind kind) const;
  void NewAttempts();
  void ResetTaskCounters();
  int64_t NextEvent() const;
  void HandleEvent(int64_t at_ms);
  void Checkpoint(int64_t at_ms);
  void Fail(int64_t at_ms);
  void FinishRestart(int64_t at_ms);
  void Integrate(int64_t from_ms, int64_t to_ms);
  // Sets rates and gauges for the interval starting at `at_ms`.
  void Drive(int64_t at_ms);
  void DriveOperators(int64_t second, bool backpressure);
  void DriveTasks(int64_t second, bool backpressure);
  void DriveProcesses(int64_t second, bool backpressure);
  double NoiseAt(int64_t second, uint64_t key, uint64_t a = 0, uint64_t b = 0) const;
  double UnitAt(int64_t second, uint64_t key, uint64_t a = 0, uint64_t b = 0) const;
  int Parallelism() const { return job_.parallelism(); }

  const FleetSpec& spec_;
  const std::vector<std::string>& nodes_;
  SimJob& job_;
  JobRuntime& rt_;
};

}  // namespace vitals::sim
