#include "sim/job_status.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/strings.h"

namespace vitals::sim {
namespace {

constexpr std::string_view kUpperNames[kNumJobStatuses] = {
    "INITIALIZING", "CREATED",  "RUNNING",    "FAILING",   "FAILED",     "CANCELLING",
    "CANCELED",     "FINISHED", "RESTARTING", "SUSPENDED", "RECONCILING"};

struct MetricName {
  JobStatusMetric metric;
  std::string_view name;
};

constexpr MetricName kMetricNames[] = {{JobStatusMetric::kState, "state"},
                                       {JobStatusMetric::kCurrentTime, "current_time"},
                                       {JobStatusMetric::kTotalTime, "total_time"}};

}  // namespace

std::string_view JobStatusName(JobStatus status) { return kUpperNames[static_cast<int>(status)]; }

absl::StatusOr<JobStatusMetricSet> JobStatusMetricSet::Parse(std::string_view text) {
  JobStatusMetricSet set = None();
  for (absl::string_view item : absl::StrSplit(AsAbsl(text), absl::ByAnyChar(",;"))) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(item));
    if (name.empty()) continue;
    bool known = false;
    for (const MetricName& m : kMetricNames) {
      if (m.name == name) {
        set.bits_ |= Bit(m.metric);
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown job status metric \"", item, "\" (want state, current_time or total_time)"));
    }
  }
  return set;
}

std::string JobStatusMetricSet::ToString() const {
  std::string out;
  for (const MetricName& m : kMetricNames) {
    if (!Has(m.metric)) continue;
    if (!out.empty()) out.push_back(',');
    out.append(m.name);
  }
  return out;
}

}  // namespace vitals::sim
