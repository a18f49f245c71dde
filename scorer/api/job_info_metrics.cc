#include "scorer/api/job_info_metrics.h"

namespace vitals::scorer {
namespace {

const std::string& LabelOr(const google::protobuf::Map<std::string, std::string>& labels,
                           const std::string& name, const std::string& fallback) {
  auto it = labels.find(name);
  return it == labels.end() || it->second.empty() ? fallback : it->second;
}

}  // namespace

JobInfoMetrics::JobInfoMetrics(prometheus::Registry& registry)
    : info_(prometheus::BuildGauge()
                .Name("vitals_job_info")
                .Help("1 for every job the replica owns whose labels name a team.")
                .Register(registry)) {}

void JobInfoMetrics::Update(const std::string& key, const v1::MetricBatch& batch) {
  // A batch without labels (from a gateway that does not know them) says
  // nothing about the team: keep what the others said.
  if (batch.job_labels().empty()) return;
  Set(key, batch.job_name(), batch.job_labels(), batch.tenant());
}

void JobInfoMetrics::Update(const std::string& key, const v1::JobState& state) {
  Set(key, state.job_name(), state.job_labels(), state.tenant());
}

void JobInfoMetrics::Update(const std::string& key, std::string_view job_name,
                            std::string_view team, std::string_view tenant_label,
                            std::string_view tenant_qualifier) {
  Set(key, job_name, team, tenant_label.empty() ? tenant_qualifier : tenant_label);
}

void JobInfoMetrics::Set(const std::string& key, const std::string& job_name,
                         const google::protobuf::Map<std::string, std::string>& labels,
                         const std::string& tenant_qualifier) {
  static const std::string kEmpty;
  Set(key, job_name, LabelOr(labels, "team", kEmpty), LabelOr(labels, "tenant", tenant_qualifier));
}

void JobInfoMetrics::Set(const std::string& key, std::string_view job_name, std::string_view team,
                         std::string_view tenant) {
  absl::MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    const Series& s = it->second;
    if (s.job_name == job_name && s.team == team && s.tenant == tenant) return;
    info_.Remove(s.gauge);
    by_key_.erase(it);
  }
  if (team.empty() || job_name.empty()) return;
  Series& s = by_key_[key];
  s.job_name = job_name;
  s.team = team;
  s.tenant = tenant;
  s.gauge = &info_.Add({{"job_name", s.job_name}, {"team", s.team}, {"tenant", s.tenant}});
  s.gauge->Set(1);
}

void JobInfoMetrics::Remove(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  info_.Remove(it->second.gauge);
  by_key_.erase(it);
}

}  // namespace vitals::scorer
