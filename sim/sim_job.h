#pragma once

// The public face of one simulated job: the identity and placement facts a
// test needs to predict what the gateway and scorer should see.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/fault.h"
#include "sim/fleet_spec.h"
#include "sim/flink_version.h"

namespace vitals::sim {

enum class ProcessKind { kJobManager, kTaskManager };

enum class JobStatus { kRunning, kRestarting };

// One JVM: the JobManager or a TaskManager of a job's cluster.
struct SimProcess {
  ProcessKind kind = ProcessKind::kTaskManager;
  // Index into Fleet::nodes(): the node whose gateway receives its metrics.
  int node = 0;
  // Flink's <host> variable: a pod IP on Kubernetes, the NodeManager's
  // host name on Yarn.
  std::string host;
  // Flink's <tm_id>: the pod name or the Yarn container id; empty for the
  // JobManager.
  std::string tm_id;
  // The pod name or container id of the process (JobManager too).
  std::string pod;
  // The Pushgateway reporter's randomJobNameSuffix of this process.
  std::string push_suffix;
  int64_t started_ms = 0;
};

struct SimOperator {
  std::string name;
  // OperatorID (32 hex), stable across restarts and redeploys.
  std::string id;
  bool is_source = false;
};

// A chain of operators run as one task (job vertex).
struct SimTask {
  // Chained operator names joined by " -> ".
  std::string name;
  // JobVertexID: the head operator's id.
  std::string id;
  int first_operator = 0;
  int num_operators = 0;
  // ExecutionAttemptID per subtask; new on every restart and redeploy.
  std::vector<std::string> attempt_ids;
};

struct SimJob {
  int index = 0;
  // Stable across redeploys (`job-007`).
  std::string name;
  // JobID, 32 hex; new on every redeploy.
  std::string id;
  std::string cluster;
  ClusterKind cluster_kind = ClusterKind::kKubernetes;
  FlinkVersion version = FlinkVersion::k1_17;
  // Redeploys so far.
  int generation = 0;
  // Kafka topic the source reads; partition i is read by source subtask i.
  std::string topic;
  // [0] is the JobManager, [1..] the TaskManagers.
  std::vector<SimProcess> processes;
  std::vector<SimOperator> operators;
  std::vector<SimTask> tasks;
  // Subtask index → index into `processes` of the TaskManager running it
  // (subtask i of every task shares slot i).
  std::vector<int> subtask_process;
  JobStatus status = JobStatus::kRunning;
  // <task_attempt_num> of every subtask: restarts since the deployment.
  int attempt_number = 0;
  // numRestarts.
  int64_t restarts = 0;
  uint32_t fault_mask = 0;

  bool HasFault(FaultKind kind) const { return (fault_mask >> static_cast<int>(kind)) & 1u; }
  int parallelism() const { return static_cast<int>(subtask_process.size()); }
};

// A process that shut down gracefully (on Redeploy): its Pushgateway
// reporter deletes its group (`deleteOnShutdown`). Crashed pods (restarts)
// do not, and linger until the gateway's TTL.
struct RetiredProcess {
  int job = 0;
  std::string job_name;
  std::string cluster;
  SimProcess process;
};

}  // namespace vitals::sim
