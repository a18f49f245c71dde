#pragma once

// The public face of the simulated jobs and the Flink clusters they run
// on: the identity and placement facts a test needs to predict what the
// gateway and scorer should see.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/fault.h"
#include "sim/fleet_spec.h"
#include "sim/flink_version.h"
#include "sim/job_status.h"

namespace vitals::sim {

enum class ProcessKind { kJobManager, kTaskManager };

// One JVM: the JobManager or a TaskManager of a Flink cluster.
struct SimProcess {
  ProcessKind kind = ProcessKind::kTaskManager;
  // Unique within the fleet and never reused: a replaced or redeployed
  // process is a new process.
  uint64_t uid = 0;
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
  // The `new AbstractID()` PrometheusPushGatewayReporterFactory appends to
  // the configured jobName in this process (randomJobNameSuffix).
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
  // Index into Fleet::flink_clusters() of the Flink cluster running it.
  int flink_cluster = 0;
  // Cluster label (`k8s-…`/`yarn-…`); in a session, the session's.
  std::string cluster;
  ClusterKind cluster_kind = ClusterKind::kKubernetes;
  FlinkVersion version = FlinkVersion::k1_17;
  // Redeploys so far.
  int generation = 0;
  // Kafka topic the source reads; partition i is read by source subtask i.
  std::string topic;
  // The processes of its Flink cluster while it reports through them: [0]
  // is the JobManager, [1..] the TaskManagers (shared with the other jobs
  // of a session). Empty once the job is closed.
  std::vector<SimProcess> processes;
  std::vector<SimOperator> operators;
  std::vector<SimTask> tasks;
  // Subtask index → index into `processes` of the TaskManager running it
  // (subtask i of every task shares slot i).
  std::vector<int> subtask_process;
  JobStatus status = JobStatus::kRunning;
  // Terminal and past FleetSpec::terminal_linger_ms: its metric groups are
  // closed and it reports nothing more.
  bool closed = false;
  // <task_attempt_num> of every subtask: restarts since the deployment.
  int attempt_number = 0;
  // numRestarts.
  int64_t restarts = 0;
  uint32_t fault_mask = 0;

  bool HasFault(FaultKind kind) const { return (fault_mask >> static_cast<int>(kind)) & 1u; }
  int parallelism() const { return static_cast<int>(subtask_process.size()); }
};

// One Flink cluster: a JobManager and its TaskManagers, running one job
// (application mode) or several (a session cluster, FleetSpec::session_jobs).
struct FlinkCluster {
  int index = 0;
  // A session cluster (FleetSpec::session_jobs > 1), even if it got only
  // one job; otherwise an application cluster.
  bool session = false;
  // The jobs submitted to it, in order (one in application mode); closed
  // jobs stay listed.
  std::vector<int> jobs;
  // Its cluster label (that of its first job).
  std::string cluster;
  FlinkVersion version = FlinkVersion::k1_17;
  // [0] is the JobManager, [1..] the TaskManagers; each reports once per
  // interval, its process metrics and those of every job it hosts. Empty
  // once an application cluster has shut down.
  std::vector<SimProcess> processes;
};

// A process that shut down gracefully (on Redeploy, or when an application
// cluster shuts down after its job ended): its Pushgateway reporter deletes
// its group (`deleteOnShutdown`). Crashed pods (restarts) do not, and
// linger until the gateway's TTL.
struct RetiredProcess {
  int flink_cluster = 0;
  // The first job of its Flink cluster (the one `{job_name}` named).
  int job = 0;
  std::string job_name;
  std::string cluster;
  SimProcess process;
};

}  // namespace vitals::sim
