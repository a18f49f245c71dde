#pragma once

// The `vitals_scorer_fleet_*` self-metrics of a replica with fleet reads:
// what the FleetView made of the health topic's records, how many jobs it
// holds, and the HealthFollower's poll errors and catch-up. The view and
// the follower keep their own totals; Update() (before each scrape)
// brings the exported counters up to them.

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/followed_counter.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "scorer/fleet/fleet_view.h"

namespace vitals::scorer {

class HealthFollower;

class FleetMetrics {
 public:
  explicit FleetMetrics(prometheus::Registry& registry);

  // Follows `view`'s counts and, when there is one, `follower`'s poll
  // errors and catch-up. Thread-safe (concurrent scrapes).
  void Update(const FleetView& view, const HealthFollower* follower) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  // vitals_scorer_fleet_records_total{result}; before the counters in it.
  prometheus::Family<prometheus::Counter>& records_;
  metrics::FollowedCounter applied_ ABSL_GUARDED_BY(mu_);
  metrics::FollowedCounter stale_ ABSL_GUARDED_BY(mu_);
  metrics::FollowedCounter forgotten_ ABSL_GUARDED_BY(mu_);
  metrics::FollowedCounter malformed_ ABSL_GUARDED_BY(mu_);
  metrics::FollowedCounter expired_ ABSL_GUARDED_BY(mu_);
  metrics::FollowedCounter poll_errors_ ABSL_GUARDED_BY(mu_);
  prometheus::Gauge& jobs_;
  prometheus::Gauge& caught_up_;
};

}  // namespace vitals::scorer
