#include "scorer/job_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"
#include "common/metrics/register.h"

namespace vitals::scorer {

JobRegistry::JobRegistry(const ScoringConfig* config, prometheus::Registry* metrics)
    : config_(config) {
  if (metrics != nullptr) {
    migrations_dropped_metric_ = &metrics::AddCounter(
        *metrics, "vitals_scorer_migrations_dropped_total",
        absl::StrCat("Recorded migrations dropped, oldest first, to keep at most ",
                     kMaxMigrationsPerJob, " per job."));
  }
}

void JobRegistry::CapMigrations(Job& job) {
  if (job.migrations.size() <= kMaxMigrationsPerJob) return;
  const size_t excess = job.migrations.size() - kMaxMigrationsPerJob;
  job.migrations.erase(job.migrations.begin(),
                       job.migrations.begin() + static_cast<std::ptrdiff_t>(excess));
  migrations_dropped_.fetch_add(excess, std::memory_order_relaxed);
  if (migrations_dropped_metric_ != nullptr) {
    migrations_dropped_metric_->Increment(static_cast<double>(excess));
  }
}

void JobRegistry::SetJobId(const std::string& key, std::string_view job_id) {
  std::string& current = job_id_by_key_[key];
  if (current == job_id) return;
  if (auto it = key_by_job_id_.find(current); it != key_by_job_id_.end() && it->second == key) {
    key_by_job_id_.erase(it);
  }
  current.assign(job_id);
  key_by_job_id_[current] = key;
}

bool JobRegistry::Add(const std::string& key, const v1::MetricBatch& batch, int32_t partition,
                      int64_t now_ms) {
  std::shared_ptr<Job> job;
  {
    absl::MutexLock lock(&mu_);
    std::shared_ptr<Job>& slot = jobs_[key];
    if (!slot) {
      slot = std::make_shared<Job>();
      absl::MutexLock job_lock(&slot->mu);
      slot->scorer = std::make_unique<JobScorer>(config_);
    }
    job = slot;
    if (!batch.job_id().empty()) SetJobId(key, batch.job_id());
  }
  // Merging the batch holds this job only.
  absl::MutexLock lock(&job->mu);
  job->partition = partition;
  job->last_seen_ms = std::max(job->last_seen_ms, now_ms);
  if (!batch.job_name().empty()) job->job_name = batch.job_name();
  if (!batch.tenant().empty()) job->tenant = batch.tenant();
  if (!batch.cluster().empty()) job->cluster = batch.cluster();
  if (!batch.job_labels().empty()) {
    job->labels.clear();
    job->labels.insert(batch.job_labels().begin(), batch.job_labels().end());
  }
  return job->scorer->Add(batch);
}

IntervalWindow::AddResult JobRegistry::Add(const std::string& key, BatchDecoder& decoder,
                                           int32_t partition, int64_t now_ms) {
  const BatchHeader& batch = decoder.header();
  std::shared_ptr<Job> job;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = jobs_.find(key); it != jobs_.end()) job = it->second;
  }
  if (!job) {
    // A job is made for a batch protobuf would accept only: its series are
    // checked before (and decoded again by the new job's window, which
    // learns them then).
    if (!decoder.DecodeSeries(nullptr)) return IntervalWindow::AddResult::kMalformed;
    absl::MutexLock lock(&mu_);
    std::shared_ptr<Job>& slot = jobs_[key];
    if (!slot) {
      slot = std::make_shared<Job>();
      absl::MutexLock job_lock(&slot->mu);
      slot->scorer = std::make_unique<JobScorer>(config_);
    }
    job = slot;
  }
  IntervalWindow::AddResult result;
  {
    // Merging the batch holds this job only.
    absl::MutexLock lock(&job->mu);
    result = job->scorer->Add(decoder);
    if (result == IntervalWindow::AddResult::kMalformed) return result;
    job->partition = partition;
    job->last_seen_ms = std::max(job->last_seen_ms, now_ms);
    if (!batch.job_name.empty()) job->job_name.assign(batch.job_name);
    if (!batch.tenant.empty()) job->tenant.assign(batch.tenant);
    if (!batch.cluster.empty()) job->cluster.assign(batch.cluster);
    if (!batch.job_labels.empty()) {
      job->labels.clear();
      for (const LabelRef& l : batch.job_labels) job->labels.emplace(l.name, l.value);
    }
  }
  if (!batch.job_id.empty()) {
    absl::MutexLock lock(&mu_);
    SetJobId(key, batch.job_id);
  }
  return result;
}

void JobRegistry::AddLabels(const Job& job, v1::HealthReport& report) {
  report.mutable_job_labels()->clear();
  report.mutable_job_labels()->insert(job.labels.begin(), job.labels.end());
}

std::vector<v1::HealthReport> JobRegistry::EvaluateAll(int64_t now_ms) {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    absl::MutexLock lock(&mu_);
    jobs.reserve(jobs_.size());
    for (const auto& [key, job] : jobs_) jobs.push_back(job);
  }
  std::vector<v1::HealthReport> reports;
  for (const std::shared_ptr<Job>& job : jobs) {
    absl::MutexLock lock(&job->mu);
    if (job->dropped) continue;
    std::optional<v1::HealthReport> report = job->scorer->Evaluate(now_ms);
    if (report) {
      const int64_t end = job->scorer->last_interval_end_ms();
      int64_t seen = data_now_ms_.load(std::memory_order_relaxed);
      while (end > seen && !data_now_ms_.compare_exchange_weak(seen, end)) {
      }
    } else {
      report = job->scorer->NoteSilence(data_now_ms_.load(std::memory_order_relaxed), now_ms,
                                        config_->not_reporting_after);
    }
    if (!report) continue;
    if (!job->migrations.empty()) {
      const v1::RollbackVerdict verdict =
          DecideRollback(job->scorer->history(), job->migrations, *config_, now_ms);
      report->set_rollback_recommended(verdict.verdict() == kVerdictRollback);
      job->scorer->set_rollback_recommended(report->rollback_recommended());
    }
    AddLabels(*job, *report);
    reports.push_back(std::move(*report));
  }
  return reports;
}

v1::JobState JobRegistry::StateOf(const Job& job, const std::string& job_id) const {
  v1::JobState state;
  state.set_job_name(job.job_name);
  state.set_tenant(job.tenant);
  for (const v1::HistoryPoint& point : job.scorer->history()) *state.add_history() = point;
  for (const v1::Migration& m : job.migrations) *state.add_migrations() = m;
  // The id and cluster graded last, not those of a batch still in an open
  // interval: a restore compares the next id with this one to see a restart.
  if (const v1::HealthReport* latest = job.scorer->latest()) {
    state.set_last_job_id(latest->job_id());
    state.set_last_cluster(latest->cluster());
    *state.mutable_latest() = *latest;
  }
  if (state.last_job_id().empty()) state.set_last_job_id(job_id);
  if (state.last_cluster().empty()) state.set_last_cluster(job.cluster);
  state.mutable_job_labels()->insert(job.labels.begin(), job.labels.end());
  return state;
}

template <typename Pred>
std::vector<DroppedJob> JobRegistry::DropIf(Pred pred) {
  std::vector<DroppedJob> dropped;
  absl::MutexLock lock(&mu_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    // Held past the erase below: the job's mutex must outlive its lock.
    const std::shared_ptr<Job> held = it->second;
    Job& job = *held;
    absl::MutexLock job_lock(&job.mu);
    if (!pred(job)) {
      ++it;
      continue;
    }
    const std::string key = it->first;
    std::string job_id;
    if (auto id = job_id_by_key_.find(key); id != job_id_by_key_.end()) {
      job_id = id->second;
      if (auto by_id = key_by_job_id_.find(job_id);
          by_id != key_by_job_id_.end() && by_id->second == key) {
        key_by_job_id_.erase(by_id);
      }
      job_id_by_key_.erase(id);
    }
    DroppedJob& d = dropped.emplace_back();
    d.key = key;
    d.partition = job.partition;
    d.job_name = job.job_name;
    if (const v1::HealthReport* latest = job.scorer->latest()) d.latest = *latest;
    d.state = StateOf(job, job_id);
    job.dropped = true;
    it = jobs_.erase(it);
  }
  return dropped;
}

std::vector<DroppedJob> JobRegistry::DropPartitions(const std::vector<int32_t>& partitions) {
  return DropIf([&](const Job& job) {
    // DropIf calls with the job's mutex held; the analysis cannot follow
    // the lock into the predicate.
    job.mu.AssertHeld();
    return std::find(partitions.begin(), partitions.end(), job.partition) != partitions.end();
  });
}

std::vector<DroppedJob> JobRegistry::Expire(int64_t now_ms, int64_t expiry_ms) {
  return DropIf([&](const Job& job) {
    job.mu.AssertHeld();  // as in DropPartitions
    return now_ms - job.last_seen_ms >= expiry_ms;
  });
}

bool JobRegistry::Restore(const std::string& key, int32_t partition, const v1::JobState& state,
                          int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Job>& slot = jobs_[key];
  const bool inserted = slot == nullptr;
  if (inserted) slot = std::make_shared<Job>();
  Job& job = *slot;
  absl::MutexLock job_lock(&job.mu);
  if (!inserted) {
    if (job.scorer->latest() != nullptr || !job.scorer->history().empty()) return false;
  } else {
    job.scorer = std::make_unique<JobScorer>(config_);
  }
  job.scorer->RestoreHistory(state);
  job.partition = partition;
  job.last_seen_ms = std::max(job.last_seen_ms, now_ms);
  if (job.job_name.empty()) job.job_name = state.job_name();
  if (job.tenant.empty()) job.tenant = state.tenant();
  if (job.cluster.empty()) job.cluster = state.last_cluster();
  if (job.labels.empty()) job.labels.insert(state.job_labels().begin(), state.job_labels().end());
  if (job_id_by_key_[key].empty() && !state.last_job_id().empty()) {
    SetJobId(key, state.last_job_id());
  }
  // Migrations recorded here before the restore (none, normally) are newer.
  std::vector<v1::Migration> migrations(state.migrations().begin(), state.migrations().end());
  migrations.insert(migrations.end(), job.migrations.begin(), job.migrations.end());
  job.migrations = std::move(migrations);
  // A record written before migrations were bounded may hold more.
  CapMigrations(job);
  return true;
}

std::optional<OwnedState> JobRegistry::State(const std::string& key) const {
  std::shared_ptr<Job> job;
  std::string job_id;
  {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(key);
    if (it == jobs_.end()) return std::nullopt;
    job = it->second;
    if (auto id = job_id_by_key_.find(key); id != job_id_by_key_.end()) job_id = id->second;
  }
  absl::MutexLock lock(&job->mu);
  OwnedState owned;
  owned.partition = job->partition;
  owned.state = StateOf(*job, job_id);
  return owned;
}

JobRegistry::JobMap::const_iterator JobRegistry::FindEntry(std::string_view name_or_id) const {
  if (auto it = jobs_.find(name_or_id); it != jobs_.end()) return it;
  if (!IsLabelValueSafe(name_or_id)) {
    std::string filtered(name_or_id);
    FilterLabelValue(filtered);
    if (auto it = jobs_.find(filtered); it != jobs_.end()) return it;
  }
  if (auto id = key_by_job_id_.find(name_or_id); id != key_by_job_id_.end()) {
    return jobs_.find(id->second);
  }
  return jobs_.end();
}

std::shared_ptr<JobRegistry::Job> JobRegistry::Find(std::string_view name_or_id) const {
  absl::MutexLock lock(&mu_);
  auto it = FindEntry(name_or_id);
  return it == jobs_.end() ? nullptr : it->second;
}

std::vector<v1::HealthReport> JobRegistry::Latest() const {
  std::vector<std::shared_ptr<Job>> jobs;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, job] : jobs_) jobs.push_back(job);
  }
  std::vector<v1::HealthReport> out;
  for (const std::shared_ptr<Job>& job : jobs) {
    absl::MutexLock lock(&job->mu);
    if (job->dropped) continue;
    if (const v1::HealthReport* latest = job->scorer->latest()) {
      AddLabels(*job, out.emplace_back(*latest));
    }
  }
  return out;
}

std::optional<v1::HealthReport> JobRegistry::Latest(std::string_view name_or_id) const {
  std::shared_ptr<Job> job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  absl::MutexLock lock(&job->mu);
  if (job->scorer->latest() == nullptr) return std::nullopt;
  v1::HealthReport report = *job->scorer->latest();
  AddLabels(*job, report);
  return report;
}

std::optional<v1::JobHistory> JobRegistry::History(std::string_view name_or_id) const {
  std::shared_ptr<Job> job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  absl::MutexLock lock(&job->mu);
  v1::JobHistory history;
  history.set_job_name(job->job_name);
  for (const v1::HistoryPoint& point : job->scorer->history()) *history.add_points() = point;
  for (const v1::Migration& m : job->migrations) *history.add_migrations() = m;
  return history;
}

std::optional<v1::MigrationList> JobRegistry::Migrations(std::string_view name_or_id) const {
  std::shared_ptr<Job> job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  absl::MutexLock lock(&job->mu);
  v1::MigrationList list;
  list.set_job_name(job->job_name);
  for (const v1::Migration& m : job->migrations) *list.add_migrations() = m;
  return list;
}

absl::StatusOr<std::string> JobRegistry::AddMigration(std::string_view name_or_id,
                                                      const v1::Migration& migration) {
  std::shared_ptr<Job> job;
  std::string key;
  {
    absl::MutexLock lock(&mu_);
    auto it = FindEntry(name_or_id);
    if (it == jobs_.end()) {
      return absl::NotFoundError(absl::StrCat("no job ", AsAbsl(name_or_id), " on this replica"));
    }
    key = it->first;
    job = it->second;
  }
  absl::MutexLock lock(&job->mu);
  job->migrations.push_back(migration);
  CapMigrations(*job);
  return key;
}

std::optional<v1::RollbackVerdict> JobRegistry::Rollback(std::string_view name_or_id,
                                                         int64_t now_ms) const {
  std::shared_ptr<Job> job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  absl::MutexLock lock(&job->mu);
  v1::RollbackVerdict verdict =
      DecideRollback(job->scorer->history(), job->migrations, *config_, now_ms);
  if (job->migrations.empty()) return verdict;
  verdict.set_job_name(job->job_name);
  if (const v1::HealthReport* latest = job->scorer->latest()) {
    verdict.set_job_name(latest->job_name());
    verdict.set_job_id(latest->job_id());
  }
  return verdict;
}

size_t JobRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return jobs_.size();
}

std::vector<std::string> JobRegistry::Keys() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> keys;
  keys.reserve(jobs_.size());
  for (const auto& [key, job] : jobs_) keys.push_back(key);
  return keys;
}

}  // namespace vitals::scorer
