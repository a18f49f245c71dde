#pragma once

// `vitals_job_info{job_name, team, tenant} 1` for every job this replica
// owns whose labels name a team: the join that lets a dashboard or an
// alert route a job's score to its team
// (`flink_job_health_score * on(job_name) group_left(team) vitals_job_info`).
// Team and tenant come from the job's labels (`MetricBatch.job_labels`);
// the tenant falls back to the batch's tenant qualifier.

#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "vitals/v1/health.pb.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

class JobInfoMetrics {
 public:
  explicit JobInfoMetrics(prometheus::Registry& registry);

  // Exports (or relabels, or withdraws when the team label went away) the
  // series of the job with stable key `key`. A batch without labels changes
  // nothing. Cheap when nothing changed: the scorer calls it for every batch.
  void Update(const std::string& key, const v1::MetricBatch& batch) ABSL_LOCKS_EXCLUDED(mu_);
  // The same from a restored state record.
  void Update(const std::string& key, const v1::JobState& state) ABSL_LOCKS_EXCLUDED(mu_);
  // The same from a batch's fields as the scorer decodes them: its job
  // name, its `team` and `tenant` job labels (empty when absent) and its
  // tenant qualifier. Copies nothing when nothing changed.
  void Update(const std::string& key, std::string_view job_name, std::string_view team,
              std::string_view tenant_label, std::string_view tenant_qualifier)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The job left this replica (revoked, expired).
  void Remove(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Series {
    std::string job_name;
    std::string team;
    std::string tenant;
    prometheus::Gauge* gauge = nullptr;
  };
  void Set(const std::string& key, const std::string& job_name,
           const google::protobuf::Map<std::string, std::string>& labels,
           const std::string& tenant_qualifier) ABSL_LOCKS_EXCLUDED(mu_);
  // `tenant`: the label, else the qualifier, already chosen.
  void Set(const std::string& key, std::string_view job_name, std::string_view team,
           std::string_view tenant) ABSL_LOCKS_EXCLUDED(mu_);

  prometheus::Family<prometheus::Gauge>& info_;
  absl::Mutex mu_;
  std::map<std::string, Series> by_key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::scorer
