#pragma once

// The path the simulator's pushes take through one gateway, in process and
// on the caller's clock: the real Pushgateway receiver (request handling,
// the replay at each interval boundary), process attribution and
// aggregator. As `vitals standalone` runs it, each push's `cluster`
// grouping label names its job's cluster, so that one gateway serves the
// jobs of several clusters (a migration moves a job from Yarn to
// Kubernetes). Not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/pushgateway/push_group_store.h"
#include "gateway/receivers/pushgateway/receiver.h"
#include "prometheus/registry.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::testing {

// A Flink job's name as every gateway path reports it, through Flink's
// PrometheusReporter filter: `job-003` is known as `job_003`.
std::string ReportedJobName(std::string_view flink_job_name);

// Advances `fleet` to `now_ms` and renders what its reporters send then:
// every process's push, and the DELETEs of processes that shut down.
std::vector<sim::Push> RenderReport(sim::Fleet& fleet, int64_t now_ms);

class SimGateway {
 public:
  explicit SimGateway(int64_t interval_ms);
  SimGateway(const SimGateway&) = delete;
  SimGateway& operator=(const SimGateway&) = delete;

  // A push as an HTTP request to the receiver, at `now_ms`; refused: the
  // receiver's answer as the error.
  absl::Status Push(const sim::Push& push, int64_t now_ms);

  // Closes the interval ending at `boundary_ms` as the gateway does
  // (replay, flush, annotate): one batch per job.
  std::vector<v1::MetricBatch> Close(int64_t boundary_ms);

  const gateway::ProcessJobTable& processes() const { return processes_; }

 private:
  prometheus::Registry registry_;
  gateway::IngestMetrics ingest_;
  gateway::PushGroupStore store_;
  gateway::ProcessJobTable processes_;
  int64_t now_ms_ = 0;
  gateway::PushgatewayReceiver receiver_;
  gateway::Aggregator aggregator_;
};

}  // namespace vitals::testing
