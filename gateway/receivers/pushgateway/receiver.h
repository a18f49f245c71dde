#pragma once

// The Pushgateway API on the gateway's HTTP port, a drop-in target for
// Flink's PrometheusPushGatewayReporter:
//   PUT|POST|DELETE /metrics/job/<job>{/<label>/<value>}
//   GET /api/v1/metrics   (the groups as the real Pushgateway's JSON API shows them)
// Bodies are Prometheus text 0.0.4 or OpenMetrics (by Content-Type),
// optionally gzip-encoded. A push is validated whole before it changes its
// group: a bad body gets 400 naming the line and leaves the group as it was.
// README.md beside this file has the wire details and the limits.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "common/base/clock.h"
#include "common/http/server.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/pushgateway/push_group_store.h"

namespace vitals::gateway {

// What a push's `cluster` grouping label does. It must be a cluster name
// (common/base/cluster_name.h) or the push gets 400, whatever the setting.
struct PushClusterOptions {
  // The gateway's own cluster (`gateway.cluster`).
  std::string configured;
  // `gateway.pushgateway.cluster_override`. true: a pushed `cluster` names
  // the cluster of its group's samples (one gateway serving several
  // clusters, as the simulator plays them). false: every sample is the
  // configured cluster's; the pushed label is dropped (never an ordinary
  // label: it is the cluster or nothing), and a push naming another
  // cluster than `configured` is counted.
  bool pushed_overrides = false;
};

class PushgatewayReceiver {
 public:
  using Clock = vitals::Clock;

  // Replays go through process attribution with `processes` (the
  // gateway's table, shared with the other receivers).
  PushgatewayReceiver(PushGroupStore* store, ProcessJobTable* processes, IngestMetrics* metrics,
                      size_t max_body_bytes, Clock clock, PushClusterOptions cluster);

  // Registers PUT, POST and DELETE under /metrics/job (labelled
  // "pushgateway" for the server's overload handler) and GET
  // /api/v1/metrics. Takes the server's body limits (max_line_bytes,
  // max_series_per_request): like its max_body_bytes, they bound what one
  // request to it may carry.
  void Register(http::Server& server);
  http::Response Handle(const http::Request& request);

  // Feeds every live group's samples to `sink` as of `now_ms` (the end of
  // the interval being closed), after expiring groups past their TTL. Each
  // group is one Flink process: its process-scope samples go to the jobs
  // its job-scoped samples name (gateway/attribute/), never to the group's
  // job name, which is the reporter's (`jobName` + a random suffix). The
  // samples carry every grouping label but `cluster` (PushClusterOptions).
  // Returns the number of samples replayed.
  size_t Replay(FlinkSampleSink& sink, int64_t now_ms);

  // The body of GET /api/v1/metrics.
  std::string RenderGroupsJson() const;

 private:
  http::Response Push(const http::Request& request, const GroupingKey& key);
  // The same at push, replay and render, so that what was taken is read back.
  PromTextLimits Limits() const;

  PushGroupStore* store_;
  ProcessJobTable* processes_;
  IngestMetrics* metrics_;
  size_t max_body_bytes_;
  size_t max_line_bytes_ = http::ServerOptions().max_line_bytes;
  size_t max_series_ = http::ServerOptions().max_series_per_request;
  Clock clock_;
  PushClusterOptions cluster_;
};

}  // namespace vitals::gateway
