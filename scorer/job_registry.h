#pragma once

// Every job this scorer replica owns, by stable identity (job name,
// qualified by tenant), with a lookup from the current job id. Thread-safe:
// the ingest loop adds batches, the evaluation loop grades, the HTTP API
// reads. Locking: the registry's mutex guards which jobs there are (and the
// job-id lookup); each job has its own mutex for its scorer and facts, taken
// after the registry's, never before. Grading holds one job's mutex at a
// time, so ingest and the API wait for at most one job's evaluation.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "scorer/model/job_scorer.h"
#include "scorer/model/rollback.h"
#include "scorer/model/scoring_config.h"
#include "scorer/state/owned_state.h"
#include "scorer/window/batch_decoder.h"
#include "vitals/v1/health.pb.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

// Migrations kept per job, newest last. A rollback verdict reads the newest
// only; the older ones are history for people, and without a bound a
// client posting in a loop grows the job's API answers and its state
// record without end.
inline constexpr size_t kMaxMigrationsPerJob = 32;

// A job the registry let go of, as it was then.
struct DroppedJob {
  std::string key;
  int32_t partition = -1;
  std::string job_name;
  // Null when the job was never graded.
  std::optional<v1::HealthReport> latest;
  v1::JobState state;
};

class JobRegistry {
 public:
  // With `metrics`, registers vitals_scorer_migrations_dropped_total there.
  explicit JobRegistry(const ScoringConfig* config, prometheus::Registry* metrics = nullptr);

  // False when the batch came too late for its interval. `now_ms` is when
  // it arrived (what expiry measures silence from).
  bool Add(const std::string& key, const v1::MetricBatch& batch, int32_t partition,
           int64_t now_ms = 0);
  // The same for a batch whose header `decoder` has read (DecodeHeader):
  // the job's scorer decodes its series. kMalformed, and no job is made,
  // when they are not a MetricBatch's.
  IntervalWindow::AddResult Add(const std::string& key, BatchDecoder& decoder, int32_t partition,
                                int64_t now_ms = 0);
  // Grades every job whose interval closed; returns the new reports.
  std::vector<v1::HealthReport> EvaluateAll(int64_t now_ms);
  // Forgets the jobs of partitions this replica no longer owns.
  std::vector<DroppedJob> DropPartitions(const std::vector<int32_t>& partitions);
  // Forgets the jobs without a batch since `now_ms - expiry_ms`.
  std::vector<DroppedJob> Expire(int64_t now_ms, int64_t expiry_ms);

  // Resumes a job from its state record (a replica took over its
  // partition). False, and nothing changes, when the job is already live
  // here: what it has is newer than the record.
  bool Restore(const std::string& key, int32_t partition, const v1::JobState& state,
               int64_t now_ms);
  // The job's state record, by stable key; nullopt when not owned.
  std::optional<OwnedState> State(const std::string& key) const;

  std::vector<v1::HealthReport> Latest() const;
  // By job name (stable key, as written by Flink or as filtered by its
  // PrometheusReporter: `job-003` finds `job_003`) or current job id.
  std::optional<v1::HealthReport> Latest(std::string_view name_or_id) const;
  std::optional<v1::JobHistory> History(std::string_view name_or_id) const;
  std::optional<v1::MigrationList> Migrations(std::string_view name_or_id) const;
  // Appends `migration` to the job's, dropping the oldest beyond
  // kMaxMigrationsPerJob. The job's stable key; NotFound when the job is
  // unknown.
  absl::StatusOr<std::string> AddMigration(std::string_view name_or_id,
                                           const v1::Migration& migration);
  std::optional<v1::RollbackVerdict> Rollback(std::string_view name_or_id, int64_t now_ms) const;
  size_t size() const;
  // Stable keys of every job owned, sorted.
  std::vector<std::string> Keys() const;
  // Migrations dropped to keep kMaxMigrationsPerJob (posted or restored).
  uint64_t migrations_dropped() const { return migrations_dropped_.load(); }

 private:
  struct Job {
    mutable absl::Mutex mu;
    // Set when the registry let the job go: an evaluation that took the
    // job before that must not report it.
    bool dropped ABSL_GUARDED_BY(mu) = false;
    std::unique_ptr<JobScorer> scorer ABSL_GUARDED_BY(mu);
    int32_t partition ABSL_GUARDED_BY(mu) = -1;
    std::string job_name ABSL_GUARDED_BY(mu);
    std::string tenant ABSL_GUARDED_BY(mu);
    std::string cluster ABSL_GUARDED_BY(mu);
    std::map<std::string, std::string> labels ABSL_GUARDED_BY(mu);
    std::vector<v1::Migration> migrations ABSL_GUARDED_BY(mu);
    // Wall clock of the newest batch, or of the restore.
    int64_t last_seen_ms ABSL_GUARDED_BY(mu) = 0;
  };
  using JobMap = std::map<std::string, std::shared_ptr<Job>, std::less<>>;

  // The job by stable key, by name as Flink or its PrometheusReporter
  // writes it, or by current job id; null when not owned.
  std::shared_ptr<Job> Find(std::string_view name_or_id) const ABSL_LOCKS_EXCLUDED(mu_);
  JobMap::const_iterator FindEntry(std::string_view name_or_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Points the job-id lookup of `key` at `job_id`.
  void SetJobId(const std::string& key, std::string_view job_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::JobState StateOf(const Job& job, const std::string& job_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(job.mu);
  // Puts the job's labels on a report of it: the team and queue filters
  // of the API and the waves read them.
  static void AddLabels(const Job& job, v1::HealthReport& report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(job.mu);
  // Drops the jobs `pred` picks; `pred` runs with the job's mutex held.
  template <typename Pred>
  std::vector<DroppedJob> DropIf(Pred pred) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops the job's oldest migrations beyond kMaxMigrationsPerJob.
  void CapMigrations(Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(job.mu);

  const ScoringConfig* config_;
  mutable absl::Mutex mu_;
  JobMap jobs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> key_by_job_id_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> job_id_by_key_ ABSL_GUARDED_BY(mu_);
  // The newest interval end graded for any job: the clock a job's silence
  // is measured by, which stands still when the whole pipeline does (a
  // Kafka outage, a lagging replica) so that no job is called silent then.
  std::atomic<int64_t> data_now_ms_{0};
  std::atomic<uint64_t> migrations_dropped_{0};
  prometheus::Counter* migrations_dropped_metric_ = nullptr;
};

}  // namespace vitals::scorer
