#pragma once

// The standard self-metrics of every receiver (a metrics::FlowMetrics per
// wire format), made in one place so that formats count alike: samples
// accepted, rejections by reason, overload refusals, and sender-named
// clusters ignored.

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/flow_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class IngestMetrics {
 public:
  explicit IngestMetrics(prometheus::Registry& registry);

  // Registers the format's counters, so that they export 0 before its first
  // sample (receivers declare their format when made).
  void Declare(std::string_view format) { Flow(format); }

  void Received(std::string_view format, double samples) { Flow(format).Accepted(samples); }
  void Rejected(std::string_view format, std::string_view reason, double count = 1) {
    Flow(format).Rejected(reason, count);
  }
  void Overloaded(std::string_view format, double count = 1) {
    Flow(format).Rejected(kOverload, count);
  }
  // A request accepted but for the cluster it named, which the gateway's
  // config did not let override its own (gateway.pushgateway.cluster_override).
  void ClusterIgnored(std::string_view format, double count = 1);

  double received(std::string_view format) { return Flow(format).accepted().Value(); }
  double rejected(std::string_view format, std::string_view reason) {
    return Flow(format).rejected(reason).Value();
  }
  double cluster_ignored(std::string_view format);

 private:
  static constexpr std::string_view kOverload = "overload";

  // The format's flow, made on its first use.
  metrics::FlowMetrics& Flow(std::string_view format) ABSL_LOCKS_EXCLUDED(mu_);

  prometheus::Registry& registry_;
  prometheus::Family<prometheus::Counter>& cluster_ignored_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<metrics::FlowMetrics>> flows_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::gateway
