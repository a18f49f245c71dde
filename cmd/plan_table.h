#pragma once

// `vitals status plan`: the order in which to move a cluster's jobs (the
// scorer's GET /api/v1/waves/plan), one row per job, then the jobs held
// back and why.

#include <string>

#include "vitals/v1/health.pb.h"

namespace vitals::cmd {

std::string RenderPlanTable(const v1::WavePlan& plan);

}  // namespace vitals::cmd
