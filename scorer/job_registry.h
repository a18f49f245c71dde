#pragma once

// Every job this scorer replica owns, by stable identity (job name,
// qualified by tenant), with a lookup from the current job id. Thread-safe:
// the ingest loop adds batches, the evaluation loop grades, the HTTP API
// reads.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scorer/model/job_scorer.h"
#include "scorer/model/rollback.h"
#include "scorer/model/scoring_config.h"
#include "vitals/v1/health.pb.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

class JobRegistry {
 public:
  explicit JobRegistry(const ScoringConfig* config) : config_(config) {}

  // False when the batch came too late for its interval.
  bool Add(const std::string& key, v1::MetricBatch batch, int32_t partition);
  // Grades every job whose interval closed; returns the new reports.
  std::vector<v1::HealthReport> EvaluateAll(int64_t now_ms);
  // Forgets the jobs of partitions this replica no longer owns; returns
  // the reports they last had (so their gauges can be removed).
  std::vector<v1::HealthReport> DropPartitions(const std::vector<int32_t>& partitions);

  std::vector<v1::HealthReport> Latest() const;
  // By job name (stable key, as written by Flink or as filtered by its
  // PrometheusReporter: `job-003` finds `job_003`) or current job id.
  std::optional<v1::HealthReport> Latest(std::string_view name_or_id) const;
  std::optional<v1::JobHistory> History(std::string_view name_or_id) const;
  // NotFound when the job is unknown.
  absl::Status AddMigration(std::string_view name_or_id, const v1::Migration& migration);
  std::optional<v1::RollbackVerdict> Rollback(std::string_view name_or_id, int64_t now_ms) const;
  size_t size() const;

 private:
  struct Job {
    std::unique_ptr<JobScorer> scorer;
    int32_t partition = -1;
    std::string job_id;
    std::vector<v1::Migration> migrations;
  };
  // Caller holds mu_.
  const Job* Find(std::string_view name_or_id) const;
  Job* Find(std::string_view name_or_id);

  const ScoringConfig* config_;
  mutable std::mutex mu_;
  std::map<std::string, Job, std::less<>> jobs_;
  std::map<std::string, std::string, std::less<>> key_by_job_id_;
};

}  // namespace vitals::scorer
