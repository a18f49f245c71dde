#pragma once

// The standard self-metrics of a component on the data path: what it
// accepted, what it refused (rejected: the input was bad), what it lost
// (dropped: the input was fine but could not be kept or passed on), each
// by reason, and what it holds in flight. Receivers, the aggregator, the
// Kafka sink and the scorer's consumer, publisher and state writer all count
// through it, so that an operator asks every component the same four
// questions.
//
// Each component keeps the names docs/self-metrics.md documents: alert
// rules, dashboards, runbooks and users' own rules read them, so the helper
// fixes the shape (a `reason` label, children registered at start so they
// export 0, one place that builds them) and not the names. A reason that
// was documented as a metric of its own before this shape existed
// (vitals_scorer_batches_late_total) is declared as such.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/labels.h"
#include "prometheus/registry.h"

namespace vitals::metrics {

// A family and the labels that pick its child (beside the flow's labels).
struct SeriesName {
  std::string name;
  std::string help;
  prometheus::Labels labels;
};

// Counts of one kind (rejected or dropped) by reason.
struct ReasonCounts {
  // The family whose children carry a `reason` label; empty when every
  // reason the component has is in `own`.
  SeriesName by_reason;
  // Reasons exported at 0 from the start (others appear on first count).
  std::vector<std::string> declared;
  // Reasons counted in a family of their own, without a `reason` label.
  std::map<std::string, SeriesName> own;
};

struct FlowSpec {
  // On every child of the flow, e.g. {{"format", "statsd"}}.
  prometheus::Labels labels;
  std::optional<SeriesName> accepted;
  ReasonCounts rejected;
  ReasonCounts dropped;
  std::optional<SeriesName> in_flight;
};

class FlowMetrics {
 public:
  FlowMetrics(prometheus::Registry& registry, const FlowSpec& spec);

  void Accepted(double count = 1) { accepted_->Increment(count); }
  void Rejected(std::string_view reason, double count = 1) {
    rejected_.Get(reason).Increment(count);
  }
  void Dropped(std::string_view reason, double count = 1) { dropped_.Get(reason).Increment(count); }
  void InFlight(double value) { in_flight_->Set(value); }

  // The counters themselves: to follow a total kept elsewhere
  // (FollowedCounter) and for tests.
  prometheus::Counter& accepted() { return *accepted_; }
  prometheus::Counter& rejected(std::string_view reason) { return rejected_.Get(reason); }
  prometheus::Counter& dropped(std::string_view reason) { return dropped_.Get(reason); }

 private:
  // Reason → counter, made on first use for undeclared reasons.
  class ByReason {
   public:
    ByReason(prometheus::Registry& registry, const prometheus::Labels& flow_labels,
             const ReasonCounts& counts);
    prometheus::Counter& Get(std::string_view reason) ABSL_LOCKS_EXCLUDED(mu_);

   private:
    prometheus::Family<prometheus::Counter>* family_ = nullptr;
    prometheus::Labels labels_;
    absl::Mutex mu_;
    absl::flat_hash_map<std::string, prometheus::Counter*> counters_ ABSL_GUARDED_BY(mu_);
    prometheus::Counter unexported_;
  };

  prometheus::Counter* accepted_ = nullptr;
  ByReason rejected_;
  ByReason dropped_;
  prometheus::Gauge* in_flight_ = nullptr;
};

}  // namespace vitals::metrics
