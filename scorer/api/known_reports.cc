#include "scorer/api/known_reports.h"

#include <set>
#include <string>
#include <utility>

#include "scorer/job_key.h"

namespace vitals::scorer {

std::vector<v1::HealthReport> KnownReports(const JobRegistry& registry, const FleetView* fleet,
                                           std::string_view self_url) {
  std::vector<v1::HealthReport> reports = registry.Latest();
  if (fleet == nullptr) return reports;
  std::set<std::string> local;
  for (const v1::HealthReport& r : reports) local.insert(JobKey(r.tenant(), r.job_name()));
  for (FleetReport& f : fleet->Latest()) {
    if (local.contains(JobKey(f.report.tenant(), f.report.job_name()))) continue;
    if (!self_url.empty() && f.replica_url == self_url) continue;
    reports.push_back(std::move(f.report));
  }
  return reports;
}

}  // namespace vitals::scorer
