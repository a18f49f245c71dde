#pragma once

// The standalone demo's view of the fleet: one row per job with its score,
// grade and worst dimension. On a terminal the table is redrawn in place
// every interval; otherwise each refresh is a block of log-friendly lines.

#include <string>
#include <vector>

#include "vitals/v1/health.pb.h"

namespace vitals::cmd {

// Renders the table (jobs sorted worst first). `ansi` adds colour.
std::string RenderStatusTable(const std::vector<v1::HealthReport>& reports, bool ansi);

}  // namespace vitals::cmd
