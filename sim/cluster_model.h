#pragma once

// Internal to the simulator: how one Flink cluster evolves. It owns the
// processes (placement, naming, JVM state) and the clock of the jobs it
// runs: time advances event by event over all of them, so that a failure
// that takes a pod, a job's end and an application cluster's shutdown
// happen in order.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "sim/fault.h"
#include "sim/fleet_spec.h"
#include "sim/job_model.h"
#include "sim/job_runtime.h"
#include "sim/sim_job.h"

namespace vitals::sim {

class ClusterModel {
 public:
  // `jobs` and `job_runtimes` are the whole fleet's (indexed by job index);
  // `next_uid` hands out SimProcess::uid.
  ClusterModel(const FleetSpec& spec, const std::vector<std::string>& node_names,
               FlinkCluster& cluster, ClusterRuntime& runtime, std::span<SimJob> jobs,
               std::span<JobRuntime> job_runtimes, uint64_t* next_uid)
      : spec_(spec),
        nodes_(node_names),
        cluster_(cluster),
        rt_(runtime),
        jobs_(jobs),
        job_rts_(job_runtimes),
        next_uid_(*next_uid) {}

  // Flink cluster `index`, labelled `label`, started at spec.start_ms with
  // `job_indices` submitted to it.
  void Create(int index, std::vector<int> job_indices, std::string_view label);
  // Application mode: the job and its cluster deployed anew at the current
  // time; the old processes retire gracefully.
  void Redeploy(std::string_view label, FlinkVersion version, std::vector<RetiredProcess>* retired);
  // Handles every event up to and at `now_ms`, then sets the gauges for it.
  void AdvanceTo(int64_t now_ms, std::vector<RetiredProcess>* retired);
  void SetFault(int job, FaultKind kind, bool on);
  absl::Status EndJob(int job, JobEnd end, std::vector<RetiredProcess>* retired);
  // Rebuilds the layout (and the jobs' copies of the processes) if the
  // processes, identities or running states changed.
  void RefreshLayout();

 private:
  JobModel Job(int job) { return JobModel(spec_, jobs_[job], job_rts_[job], &rt_.layout_dirty); }
  const SimJob& first_job() const { return jobs_[cluster_.jobs.front()]; }
  void DeployProcesses(int64_t at_ms);
  // Subtask → TaskManager of job `local` (its place among the cluster's
  // jobs): each job's subtasks take the next free slots.
  std::vector<int> SubtaskPlacement(int local) const;
  int SlotsPerTaskManager() const;
  SimProcess NewProcess(ProcessKind kind, int node, int64_t at_ms);
  ProcessState NewProcessState(ProcessKind kind) const;
  void React(int job, JobEvent event, int64_t at_ms, std::vector<RetiredProcess>* retired);
  void ReplaceTaskManager(int job, int64_t at_ms);
  void Retire(std::vector<RetiredProcess>* retired);
  void IntegrateProcesses(int64_t from_ms, int64_t to_ms);
  void Drive(int64_t at_ms);
  void DriveProcesses(int64_t second);
  double UnitAt(int64_t second, uint64_t key, uint64_t a = 0, uint64_t b = 0) const;

  const FleetSpec& spec_;
  const std::vector<std::string>& nodes_;
  FlinkCluster& cluster_;
  ClusterRuntime& rt_;
  std::span<SimJob> jobs_;
  std::span<JobRuntime> job_rts_;
  uint64_t& next_uid_;
};

}  // namespace vitals::sim
