#include "scorer/api/score_metrics.h"

#include <cmath>

namespace vitals::scorer {

ScoreMetrics::ScoreMetrics(prometheus::Registry& registry)
    : score_(prometheus::BuildGauge()
                 .Name("flink_job_health_score")
                 .Help("Job health, 0 (worst) to 10 (best).")
                 .Register(registry)),
      dimension_(prometheus::BuildGauge()
                     .Name("flink_job_health_dimension_score")
                     .Help("Per-dimension health, 0 to 10; absent while the dimension is unknown.")
                     .Register(registry)),
      rollback_(prometheus::BuildGauge()
                    .Name("flink_job_rollback_recommended")
                    .Help("1 when the rollback verdict for the job's last migration is rollback.")
                    .Register(registry)),
      state_(prometheus::BuildGauge()
                 .Name("flink_job_state")
                 .Help("1 for the job's lifecycle state: initializing, created, running, "
                       "restarting, failing, cancelling, failed, canceled, finished or "
                       "not_reporting (docs/scoring.md).")
                 .Register(registry)) {}

void ScoreMetrics::RemoveScoresLocked(JobSeries& series) {
  if (series.score != nullptr) score_.Remove(series.score);
  if (series.rollback != nullptr) rollback_.Remove(series.rollback);
  for (auto& [name, gauge] : series.dimensions) dimension_.Remove(gauge);
  series.score = nullptr;
  series.rollback = nullptr;
  series.dimensions.clear();
  series.labels.clear();
}

void ScoreMetrics::RemoveLocked(JobSeries& series) {
  RemoveScoresLocked(series);
  if (series.state != nullptr) state_.Remove(series.state);
  series = JobSeries();
}

void ScoreMetrics::UpdateStateLocked(JobSeries& series, const v1::HealthReport& report) {
  if (report.state().empty()) return;  // a report from before states were read
  std::map<std::string, std::string> labels = {
      {"job_name", report.job_name()}, {"cluster", report.cluster()}, {"state", report.state()}};
  if (series.state_labels == labels) return;
  // The new series first: a scrape in between must not see the job without
  // a state (that would restart the alerts' pending periods).
  prometheus::Gauge* fresh = &state_.Add(labels);
  fresh->Set(1);
  if (series.state != nullptr) state_.Remove(series.state);
  series.state = fresh;
  series.state_labels = std::move(labels);
}

void ScoreMetrics::Update(const v1::HealthReport& report) {
  absl::MutexLock lock(&mu_);
  JobSeries& series = by_job_[report.job_name()];
  UpdateStateLocked(series, report);
  if (std::isnan(report.score())) {
    // No data to grade, or a job that ended: no score series, rather than
    // a NaN or a made-up number.
    RemoveScoresLocked(series);
    return;
  }
  std::map<std::string, std::string> labels = {
      {"job_id", report.job_id()}, {"job_name", report.job_name()}, {"cluster", report.cluster()}};
  if (series.labels != labels) {
    RemoveScoresLocked(series);
    series.labels = labels;
    series.score = &score_.Add(labels);
    series.rollback = &rollback_.Add(labels);
  }
  series.score->Set(report.score());
  series.rollback->Set(report.rollback_recommended() ? 1 : 0);
  std::map<std::string, prometheus::Gauge*> seen;
  for (const v1::DimensionScore& d : report.dimensions()) {
    if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
    prometheus::Gauge* gauge = nullptr;
    if (auto it = series.dimensions.find(d.dimension()); it != series.dimensions.end()) {
      gauge = it->second;
      series.dimensions.erase(it);
    } else {
      std::map<std::string, std::string> dim_labels = labels;
      dim_labels["dimension"] = d.dimension();
      gauge = &dimension_.Add(dim_labels);
    }
    gauge->Set(d.score());
    seen[d.dimension()] = gauge;
  }
  // Dimensions that became unknown lose their series.
  for (auto& [name, gauge] : series.dimensions) dimension_.Remove(gauge);
  series.dimensions = std::move(seen);
}

void ScoreMetrics::Remove(const v1::HealthReport& report) {
  absl::MutexLock lock(&mu_);
  auto it = by_job_.find(report.job_name());
  if (it == by_job_.end()) return;
  RemoveLocked(it->second);
  by_job_.erase(it);
}

}  // namespace vitals::scorer
