#include "sim/fleet.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "sim/cluster_model.h"
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

ClusterModel Fleet::Model(int flink_cluster) {
  return ClusterModel(spec_, nodes_, clusters_[flink_cluster], cluster_runtimes_[flink_cluster],
                      jobs_, runtimes_, &next_uid_);
}

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
  const int per_cluster = s.session_jobs;
  const int clusters = (s.jobs + per_cluster - 1) / per_cluster;
  fleet.clusters_.resize(clusters);
  fleet.cluster_runtimes_.resize(clusters);
  for (int c = 0; c < clusters; ++c) {
    std::vector<int> jobs;
    for (int j = c * per_cluster; j < std::min(s.jobs, (c + 1) * per_cluster); ++j) {
      jobs.push_back(j);
    }
    const int first = jobs.front();
    ClusterModel model = fleet.Model(c);
    model.Create(c, std::move(jobs), s.clusters[first % s.clusters.size()]);
    model.RefreshLayout();
  }
  fleet.now_ms_ = s.start_ms;
  return fleet;
}

void Fleet::AdvanceTo(int64_t now_ms) {
  if (now_ms <= now_ms_) return;
  for (size_t c = 0; c < clusters_.size(); ++c) {
    ClusterModel model = Model(static_cast<int>(c));
    model.AdvanceTo(now_ms, &retired_);
    model.RefreshLayout();
  }
  now_ms_ = now_ms;
}

absl::Status Fleet::SetFault(int job_index, FaultKind kind, bool on) {
  if (absl::Status status = CheckJobIndex(job_index, jobs_.size()); !status.ok()) return status;
  ClusterModel model = Model(jobs_[job_index].flink_cluster);
  model.SetFault(job_index, kind, on);
  model.RefreshLayout();
  return absl::OkStatus();
}

absl::Status Fleet::EndJob(int job_index, JobEnd end) {
  if (absl::Status status = CheckJobIndex(job_index, jobs_.size()); !status.ok()) return status;
  ClusterModel model = Model(jobs_[job_index].flink_cluster);
  absl::Status status = model.EndJob(job_index, end, &retired_);
  model.RefreshLayout();
  return status;
}

absl::Status Fleet::Redeploy(int job_index, std::string_view new_cluster,
                             std::optional<FlinkVersion> version) {
  if (absl::Status status = CheckJobIndex(job_index, jobs_.size()); !status.ok()) return status;
  if (auto kind = ClusterKindOf(new_cluster); !kind.ok()) return kind.status();
  const SimJob& job = jobs_[job_index];
  if (clusters_[job.flink_cluster].session) {
    return absl::FailedPreconditionError(
        absl::StrCat(job.name, " runs in a session cluster, whose processes its other jobs share: ",
                     "only application-mode jobs can be redeployed"));
  }
  ClusterModel model = Model(job.flink_cluster);
  model.Redeploy(new_cluster, version.value_or(job.version), &retired_);
  model.RefreshLayout();
  return absl::OkStatus();
}

std::vector<RetiredProcess> Fleet::TakeRetired() {
  std::vector<RetiredProcess> retired;
  retired.swap(retired_);
  return retired;
}

Reading Fleet::Read(int flink_cluster, const Group& group, const MetricDef& def) const {
  return ReadMetric(clusters_[flink_cluster], cluster_runtimes_[flink_cluster], jobs_, runtimes_,
                    group, def);
}

}  // namespace vitals::sim
