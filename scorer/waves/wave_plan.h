#pragma once

// The order in which to move a cluster's jobs (GET /api/v1/waves/plan):
// least critical first, then simplest: fewest operators, narrowest
// parallelism, least checkpointed state (a move restores from it), then
// by name so that the same fleet always gives the same plan. A job whose
// topology is unknown comes after those of its criticality whose is
// known; one without a completed checkpoint after those with one.
//
// Criticality is a job label's number (default label `priority`, read as
// Flink's `yarn.application.priority`: larger is more important; a job
// without the label has that option's default, -1). Held back, with the
// reason: a job that is not running, one graded critical or unknown (its
// rollback verdict after the move would have no healthy baseline), and
// one whose criticality label is not a number.

#include <cstdint>
#include <string>
#include <vector>

#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

inline constexpr char kDefaultCriticalityLabel[] = "priority";
// Flink's default of `yarn.application.priority`.
inline constexpr int64_t kDefaultCriticality = -1;

// Whether `report` matches every field `selector` gives (an empty field
// matches any job): what a wave's selector picks and the plan plans.
bool SelectorMatches(const v1::WaveSelector& selector, const v1::HealthReport& report);

struct WavePlanQuery {
  // Its cluster (the one the jobs leave) is required; the job name's
  // beginning, the tenant and job labels (`team`, a Yarn `queue`) narrow.
  v1::WaveSelector selector;
  std::string criticality_label = kDefaultCriticalityLabel;
  // Cut the order into waves of this many jobs; 0: don't.
  uint32_t wave_size = 0;
};

// `reports`: every job the replica knows (its own and the fleet view's).
v1::WavePlan PlanWaves(const std::vector<v1::HealthReport>& reports, const WavePlanQuery& query);

}  // namespace vitals::scorer
