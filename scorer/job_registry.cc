#include "scorer/job_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"

namespace vitals::scorer {

bool JobRegistry::Add(const std::string& key, v1::MetricBatch batch, int32_t partition,
                      int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Job& job = jobs_[key];
  if (!job.scorer) job.scorer = std::make_unique<JobScorer>(config_);
  job.partition = partition;
  job.last_seen_ms = std::max(job.last_seen_ms, now_ms);
  if (!batch.job_id().empty() && batch.job_id() != job.job_id) {
    key_by_job_id_.erase(job.job_id);
    job.job_id = batch.job_id();
    key_by_job_id_[job.job_id] = key;
  }
  if (!batch.job_name().empty()) job.job_name = batch.job_name();
  if (!batch.tenant().empty()) job.tenant = batch.tenant();
  if (!batch.cluster().empty()) job.cluster = batch.cluster();
  if (!batch.job_labels().empty()) {
    job.labels.clear();
    job.labels.insert(batch.job_labels().begin(), batch.job_labels().end());
  }
  return job.scorer->Add(std::move(batch));
}

std::vector<v1::HealthReport> JobRegistry::EvaluateAll(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::HealthReport> reports;
  for (auto& [key, job] : jobs_) {
    std::optional<v1::HealthReport> report = job.scorer->Evaluate(now_ms);
    if (report) data_now_ms_ = std::max(data_now_ms_, job.scorer->last_interval_end_ms());
    if (!report) {
      report = job.scorer->NoteSilence(data_now_ms_, now_ms, config_->not_reporting_after);
    }
    if (!report) continue;
    if (!job.migrations.empty()) {
      v1::RollbackVerdict verdict =
          DecideRollback(job.scorer->history(), job.migrations.back(), *config_, now_ms);
      report->set_rollback_recommended(verdict.verdict() == "rollback");
      job.scorer->set_rollback_recommended(report->rollback_recommended());
    }
    reports.push_back(std::move(*report));
  }
  return reports;
}

v1::JobState JobRegistry::StateOf(const Job& job) const {
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
  if (state.last_job_id().empty()) state.set_last_job_id(job.job_id);
  if (state.last_cluster().empty()) state.set_last_cluster(job.cluster);
  state.mutable_job_labels()->insert(job.labels.begin(), job.labels.end());
  return state;
}

template <typename Pred>
std::vector<DroppedJob> JobRegistry::DropIf(Pred pred) {
  std::vector<DroppedJob> dropped;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const Job& job = it->second;
    if (!pred(job)) {
      ++it;
      continue;
    }
    DroppedJob& d = dropped.emplace_back();
    d.key = it->first;
    d.partition = job.partition;
    d.job_name = job.job_name;
    if (const v1::HealthReport* latest = job.scorer->latest()) d.latest = *latest;
    d.state = StateOf(job);
    if (auto id = key_by_job_id_.find(job.job_id);
        id != key_by_job_id_.end() && id->second == it->first) {
      key_by_job_id_.erase(id);
    }
    it = jobs_.erase(it);
  }
  return dropped;
}

std::vector<DroppedJob> JobRegistry::DropPartitions(const std::vector<int32_t>& partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  return DropIf([&](const Job& job) {
    return std::find(partitions.begin(), partitions.end(), job.partition) != partitions.end();
  });
}

std::vector<DroppedJob> JobRegistry::Expire(int64_t now_ms, int64_t expiry_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return DropIf([&](const Job& job) { return now_ms - job.last_seen_ms >= expiry_ms; });
}

bool JobRegistry::Restore(const std::string& key, int32_t partition, const v1::JobState& state,
                          int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = jobs_.try_emplace(key);
  Job& job = it->second;
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
  if (job.job_id.empty() && !state.last_job_id().empty()) {
    job.job_id = state.last_job_id();
    key_by_job_id_[job.job_id] = key;
  }
  // Migrations recorded here before the restore (none, normally) are newer.
  std::vector<v1::Migration> migrations(state.migrations().begin(), state.migrations().end());
  migrations.insert(migrations.end(), job.migrations.begin(), job.migrations.end());
  job.migrations = std::move(migrations);
  return true;
}

std::optional<OwnedState> JobRegistry::State(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(key);
  if (it == jobs_.end()) return std::nullopt;
  OwnedState owned;
  owned.partition = it->second.partition;
  owned.state = StateOf(it->second);
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

const JobRegistry::Job* JobRegistry::Find(std::string_view name_or_id) const {
  auto it = FindEntry(name_or_id);
  return it == jobs_.end() ? nullptr : &it->second;
}

JobRegistry::Job* JobRegistry::Find(std::string_view name_or_id) {
  return const_cast<Job*>(std::as_const(*this).Find(name_or_id));
}

std::vector<v1::HealthReport> JobRegistry::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::HealthReport> out;
  for (const auto& [key, job] : jobs_) {
    if (const v1::HealthReport* latest = job.scorer->latest()) out.push_back(*latest);
  }
  return out;
}

std::optional<v1::HealthReport> JobRegistry::Latest(std::string_view name_or_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Job* job = Find(name_or_id);
  if (job == nullptr || job->scorer->latest() == nullptr) return std::nullopt;
  return *job->scorer->latest();
}

std::optional<v1::JobHistory> JobRegistry::History(std::string_view name_or_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Job* job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  v1::JobHistory history;
  history.set_job_name(job->job_name);
  for (const v1::HistoryPoint& point : job->scorer->history()) *history.add_points() = point;
  for (const v1::Migration& m : job->migrations) *history.add_migrations() = m;
  return history;
}

std::optional<v1::MigrationList> JobRegistry::Migrations(std::string_view name_or_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Job* job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  v1::MigrationList list;
  list.set_job_name(job->job_name);
  for (const v1::Migration& m : job->migrations) *list.add_migrations() = m;
  return list;
}

absl::StatusOr<std::string> JobRegistry::AddMigration(std::string_view name_or_id,
                                                      const v1::Migration& migration) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = FindEntry(name_or_id);
  if (it == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("no job ", AsAbsl(name_or_id), " on this replica"));
  }
  const std::string key = it->first;
  jobs_.find(key)->second.migrations.push_back(migration);
  return key;
}

std::optional<v1::RollbackVerdict> JobRegistry::Rollback(std::string_view name_or_id,
                                                         int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Job* job = Find(name_or_id);
  if (job == nullptr) return std::nullopt;
  if (job->migrations.empty()) {
    v1::RollbackVerdict verdict;
    verdict.set_verdict("insufficient_data");
    verdict.add_reasons("no migration recorded for this job");
    return verdict;
  }
  v1::RollbackVerdict verdict =
      DecideRollback(job->scorer->history(), job->migrations.back(), *config_, now_ms);
  verdict.set_job_name(job->job_name);
  if (const v1::HealthReport* latest = job->scorer->latest()) {
    verdict.set_job_name(latest->job_name());
    verdict.set_job_id(latest->job_id());
  }
  return verdict;
}

size_t JobRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

std::vector<std::string> JobRegistry::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> keys;
  keys.reserve(jobs_.size());
  for (const auto& [key, job] : jobs_) keys.push_back(key);
  return keys;
}

}  // namespace vitals::scorer
