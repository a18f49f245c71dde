#pragma once

// Internal to the simulator: how one job evolves. Deployment zeroes its
// counters; time integrates its rates and fires checkpoints, failures,
// restarts and its status changes in order; faults change the rates and
// gauges from the next moment on. The processes it runs on are its Flink
// cluster's (cluster_model.h).

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "sim/fault.h"
#include "sim/fleet_spec.h"
#include "sim/job_runtime.h"
#include "sim/sim_job.h"

namespace vitals::sim {

// What handling a job's event did, for its cluster to react to.
enum class JobEvent {
  kNone,
  // RUNNING → RESTARTING under FaultKind::kRestarts.
  kFailed,
  // Its metric groups closed: it reports nothing more.
  kClosed,
};

class JobModel {
 public:
  // `layout_dirty` is its cluster's flag, raised when what the job reports
  // changes shape.
  JobModel(const FleetSpec& spec, SimJob& job, JobRuntime& runtime, bool* layout_dirty)
      : spec_(spec), job_(job), rt_(runtime), layout_dirty_(*layout_dirty) {}

  // Job `index` of the fleet: its name and job graph, fixed for life.
  void Create(int index);
  // A deployment at `at_ms` on `cluster`, subtask i running on the
  // TaskManager cluster.processes[subtask_process[i]]: a new job id,
  // counters from zero, INITIALIZING → CREATED → RUNNING.
  void Deploy(const FlinkCluster& cluster, std::vector<int> subtask_process, int64_t at_ms);

  int64_t NextEvent() const;
  JobEvent HandleEvent(int64_t at_ms);
  void Integrate(int64_t from_ms, int64_t to_ms);
  // Sets the operators' and tasks' rates and gauges for the interval
  // starting at `at_ms`.
  void Drive(int64_t at_ms);
  void SetFault(FaultKind kind, bool on);
  // FailedPrecondition when the job's status does not allow `end`.
  absl::Status End(JobEnd end, int64_t at_ms);

 private:
  double NoiseAt(int64_t second, uint64_t key, uint64_t a = 0, uint64_t b = 0) const;
  double UnitAt(int64_t second, uint64_t key, uint64_t a = 0, uint64_t b = 0) const;
  void Transition(JobStatus to, int64_t at_ms);
  void NewAttempts();
  void ResetTaskCounters();
  void Checkpoint(int64_t at_ms);
  void Fail(int64_t at_ms);
  void FinishRestart(int64_t at_ms);
  void DriveOperators(int64_t second, bool backpressure);
  void DriveTasks(int64_t second, bool backpressure);
  int Parallelism() const { return job_.parallelism(); }

  const FleetSpec& spec_;
  SimJob& job_;
  JobRuntime& rt_;
  bool& layout_dirty_;
};

}  // namespace vitals::sim
