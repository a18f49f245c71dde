#pragma once

// Internal to the simulator: the current value of one metric instance.

#include "sim/job_runtime.h"
#include "sim/layout.h"
#include "sim/metric_catalog.h"
#include "sim/reading.h"
#include "sim/sim_job.h"

namespace vitals::sim {

Reading ReadMetric(const SimJob& job, const JobRuntime& runtime, const Group& group,
                   const MetricDef& def);

}  // namespace vitals::sim
