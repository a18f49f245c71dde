#pragma once

// What every receiver is to the gateway: a component started after the
// sinks and stopped before them, given where its samples go. A receiver on
// the gateway's HTTP port adds its routes before the server starts.
//
// A receiver type R is registered in receivers.h, and provides:
//   using Options = …;                         // its config section's struct
//   static constexpr std::string_view kSection; // that section's name
//   static void DeclareKeys(config::Keys&, Options&);
//   static bool Enabled(const Options&);
//   R(Options, const ReceiverContext&);

#include <string_view>

#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/component/component.h"
#include "common/http/server.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

// The gateway's parts a receiver hands its samples to; they outlive it.
struct ReceiverContext {
  // The aggregator: thread-safe.
  FlinkSampleSink* sink = nullptr;
  // Which processes run which jobs, shared by every receiver.
  ProcessJobTable* processes = nullptr;
  IngestMetrics* ingest = nullptr;
  // For a receiver's own self-metrics.
  prometheus::Registry* registry = nullptr;
  // Stamps samples that carry no time of their own.
  Clock clock;
  // What loops of their own (the scrape ticks) wait on: the gateway's.
  const TimeSource* time = &SystemTimeSource::Get();
  // The gateway's configured cluster (gateway.cluster).
  std::string cluster;
};

class Receiver : public Component {
 public:
  // Called once, before the server starts.
  virtual void Route(http::Server& server) {}
  // A receiver that only answers routes has nothing to start or stop.
  absl::Status Start() override { return absl::OkStatus(); }
  absl::Status Shutdown(absl::Time deadline) override { return absl::OkStatus(); }
};

}  // namespace vitals::gateway
