#include "scorer/fleet/fleet_metrics.h"

#include "common/metrics/register.h"
#include "scorer/fleet/health_follower.h"

namespace vitals::scorer {

FleetMetrics::FleetMetrics(prometheus::Registry& registry)
    : records_(prometheus::BuildCounter()
                   .Name("vitals_scorer_fleet_records_total")
                   .Help("Records of the health topic read into the fleet view, by what became "
                         "of them.")
                   .Register(registry)),
      applied_(&records_.Add({{"result", "applied"}})),
      stale_(&records_.Add({{"result", "stale"}})),
      forgotten_(&records_.Add({{"result", "forgotten"}})),
      malformed_(&records_.Add({{"result", "malformed"}})),
      expired_(&metrics::AddCounter(registry, "vitals_scorer_fleet_jobs_expired_total",
                                    "Jobs the fleet view forgot after job_expiry without a "
                                    "report.")),
      poll_errors_(&metrics::AddCounter(registry, "vitals_scorer_fleet_poll_errors_total",
                                        "Failed polls of the health topic by the fleet view's "
                                        "follower.")),
      jobs_(metrics::AddGauge(registry, "vitals_scorer_fleet_jobs",
                              "Jobs of the whole fleet whose latest report the replica holds.")),
      caught_up_(metrics::AddGauge(registry, "vitals_scorer_fleet_caught_up",
                                   "1 once the follower has read the health topic up to where "
                                   "it ended when first read, else 0.")) {}

void FleetMetrics::Update(const FleetView& view, const HealthFollower* follower) {
  const FleetView::Counts counts = view.counts();
  const size_t jobs = view.size();
  absl::MutexLock lock(&mu_);
  applied_.Follow(counts.applied);
  stale_.Follow(counts.stale);
  forgotten_.Follow(counts.forgotten);
  malformed_.Follow(counts.malformed);
  expired_.Follow(counts.expired);
  jobs_.Set(static_cast<double>(jobs));
  if (follower != nullptr) {
    poll_errors_.Follow(follower->poll_errors());
    caught_up_.Set(follower->caught_up() ? 1 : 0);
  }
}

}  // namespace vitals::scorer
