#include "sim/fleet.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "sim/job_model.h"
#include "sim/read_metric.h"

namespace vitals::sim {
namespace {

absl::Status CheckJobIndex(int job_index, size_t jobs) {
  if (job_index < 0 || static_cast<size_t>(job_index) >= jobs) {
    return absl::InvalidArgumentError(
        absl::StrCat("job index ", job_index, " is out of range [0, ", jobs, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Fleet> Fleet::Create(FleetSpec spec) {
  if (absl::Status status = spec.Validate(); !status.ok()) return status;
  Fleet fleet(std::move(spec));
  const FleetSpec& s = fleet.spec_;
  for (int n = 0; n < s.nodes; ++n) {
    fleet.nodes_.push_back(
        absl::StrCat(AsAbsl(s.node_prefix), absl::StrFormat("%0*d", s.nodes > 100 ? 3 : 2, n)));
  }
  fleet.jobs_.resize(s.jobs);
  fleet.runtimes_.resize(s.jobs);
  for (int j = 0; j < s.jobs; ++j) {
    JobModel model(s, fleet.nodes_, fleet.jobs_[j], fleet.runtimes_[j]);
    model.Create(j, s.clusters[j % s.clusters.size()]);
    model.RefreshLayout();
  }
  fleet.now_ms_ = s.start_ms;
  return fleet;
}

void Fleet::AdvanceTo(int64_t now_ms) {
  if (now_ms <= now_ms_) return;
  for (size_t j = 0; j < jobs_.size(); ++j) {
    JobModel model(spec_, nodes_, jobs_[j], runtimes_[j]);
    model.AdvanceTo(now_ms);
    model.RefreshLayout();
  }
  now_ms_ = now_ms;
}

absl::Status Fleet::SetFault(int job_index, FaultKind kind, bool on) {
  if (absl::Status status = CheckJobIndex(job_index, jobs_.size()); !status.ok()) return status;
  JobModel model(spec_, nodes_, jobs_[job_index], runtimes_[job_index]);
  model.SetFault(kind, on);
  model.RefreshLayout();
  return absl::OkStatus();
}

absl::Status Fleet::Redeploy(int job_index, std::string_view new_cluster,
                             std::optional<FlinkVersion> version) {
  if (absl::Status status = CheckJobIndex(job_index, jobs_.size()); !status.ok()) return status;
  if (auto kind = ClusterKindOf(new_cluster); !kind.ok()) return kind.status();
  SimJob& job = jobs_[job_index];
  JobModel model(spec_, nodes_, job, runtimes_[job_index]);
  model.Redeploy(new_cluster, version.value_or(job.version), &retired_);
  model.RefreshLayout();
  return absl::OkStatus();
}

std::vector<RetiredProcess> Fleet::TakeRetired() {
  std::vector<RetiredProcess> retired;
  retired.swap(retired_);
  return retired;
}

Reading Fleet::Read(int job_index, const Group& group, const MetricDef& def) const {
  return ReadMetric(jobs_[job_index], runtimes_[job_index], group, def);
}

}  // namespace vitals::sim
