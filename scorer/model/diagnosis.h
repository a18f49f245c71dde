#pragma once

// The report's diagnosis: the worst dimensions in plain language with their
// observed values, worst first, e.g.
//   "critical: checkpoints failing: 7 of 10 failed in 5 min; last success
//    4 min ago. Also degraded: backpressure LOW: 'Map' backpressured 32% …"
// A healthy job says so and names the dimensions without data, so that a
// reader never takes "no data" for "fine".

#include <string>

#include "scorer/dimensions/dimension.h"
#include "scorer/model/combine.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// At most this many problem dimensions are spelled out.
inline constexpr int kDiagnosisDimensions = 3;

std::string Diagnose(const Dimensions& dimensions, const EvalContext& ctx,
                     std::string_view restart_reason);

}  // namespace vitals::scorer
