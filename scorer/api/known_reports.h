#pragma once

// Every job a replica can speak for: its own jobs' reports (the registry's,
// freshest) and, with fleet reads, the fleet view's latest report of every
// other job. A view report that names this replica but whose job the
// registry no longer holds is of a job let go of (expired, or handed over
// and not yet reported by its new owner): left out.

#include <string_view>
#include <vector>

#include "scorer/fleet/fleet_view.h"
#include "scorer/job_registry.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// `fleet` may be null (fleet reads off); `self_url` may be empty (not
// bound yet).
std::vector<v1::HealthReport> KnownReports(const JobRegistry& registry, const FleetView* fleet,
                                           std::string_view self_url);

}  // namespace vitals::scorer
