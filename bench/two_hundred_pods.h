#pragma once

// The benchmarks' push fleet: 40 jobs × (1 JobManager + 4 TaskManagers),
// parallelism 20, Flink 1.15–1.17 naming, on one node, ten minutes into its
// life: the pushes Flink's PrometheusPushGatewayReporter sends for it, as
// the simulator renders them.

#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"

namespace vitals::bench {

inline std::vector<sim::Push> TwoHundredPodPushes(sim::RenderStats* stats = nullptr) {
  sim::FleetSpec spec;
  spec.jobs = 40;
  spec.task_managers = 4;
  spec.parallelism = 20;
  spec.version = sim::FlinkVersion::k1_17;
  spec.nodes = 1;
  spec.clusters = {"k8s-bench"};
  spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
  sim::Fleet fleet = std::move(*sim::Fleet::Create(spec));
  fleet.AdvanceTo(spec.start_ms + 600'000);
  std::vector<sim::Push> pushes;
  const sim::RenderStats rendered = sim::RenderPushes(fleet, &pushes);
  if (stats != nullptr) *stats = rendered;
  return pushes;
}

}  // namespace vitals::bench
