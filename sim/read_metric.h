#pragma once

// Internal to the simulator: the current value of one metric instance.

#include <span>

#include "sim/job_runtime.h"
#include "sim/layout.h"
#include "sim/metric_catalog.h"
#include "sim/reading.h"
#include "sim/sim_job.h"

namespace vitals::sim {

// `jobs` and `job_runtimes` are the whole fleet's; `group` is one of
// `cluster`'s.
Reading ReadMetric(const FlinkCluster& cluster, const ClusterRuntime& cluster_runtime,
                   std::span<const SimJob> jobs, std::span<const JobRuntime> job_runtimes,
                   const Group& group, const MetricDef& def);

}  // namespace vitals::sim
