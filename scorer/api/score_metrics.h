#pragma once

// The scorer's Prometheus gauges: flink_job_health_score,
// flink_job_health_dimension_score and flink_job_rollback_recommended,
// one label set per job, replaced when the job's id or cluster changes so
// that a redeployed job does not leave a stale series behind; and
// flink_job_state{job_name,cluster,state} 1 for the job's lifecycle state,
// one series per job, whose `state` label changes with the state (also
// for a job that is not graded, e.g. finished).

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

class ScoreMetrics {
 public:
  explicit ScoreMetrics(prometheus::Registry& registry);

  void Update(const v1::HealthReport& report) ABSL_LOCKS_EXCLUDED(mu_);
  void Remove(const v1::HealthReport& report) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct JobSeries {
    prometheus::Gauge* score = nullptr;
    prometheus::Gauge* rollback = nullptr;
    std::map<std::string, prometheus::Gauge*> dimensions;
    std::map<std::string, std::string> labels;
    prometheus::Gauge* state = nullptr;
    std::map<std::string, std::string> state_labels;
  };
  // Score, rollback and dimension series; the state series stays.
  void RemoveScoresLocked(JobSeries& series) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateStateLocked(JobSeries& series, const v1::HealthReport& report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLocked(JobSeries& series) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  prometheus::Family<prometheus::Gauge>& score_;
  prometheus::Family<prometheus::Gauge>& dimension_;
  prometheus::Family<prometheus::Gauge>& rollback_;
  prometheus::Family<prometheus::Gauge>& state_;
  absl::Mutex mu_;
  // By job name.
  std::map<std::string, JobSeries> by_job_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::scorer
