#include "scorer/job_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"

namespace vitals::scorer {

bool JobRegistry::Add(const std::string& key, v1::MetricBatch batch, int32_t partition) {
  std::lock_guard<std::mutex> lock(mu_);
  Job& job = jobs_[key];
  if (!job.scorer) job.scorer = std::make_unique<JobScorer>(config_);
  job.partition = partition;
  if (!batch.job_id().empty() && batch.job_id() != job.job_id) {
    key_by_job_id_.erase(job.job_id);
    job.job_id = batch.job_id();
    key_by_job_id_[job.job_id] = key;
  }
  return job.scorer->Add(std::move(batch));
}

std::vector<v1::HealthReport> JobRegistry::EvaluateAll(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::HealthReport> reports;
  for (auto& [key, job] : jobs_) {
    std::optional<v1::HealthReport> report = job.scorer->Evaluate(now_ms);
    if (!report) continue;
    if (!job.migrations.empty()) {
      v1::RollbackVerdict verdict =
          DecideRollback(job.scorer->history(), job.migrations.back(), *config_, now_ms);
      report->set_rollback_recommended(verdict.verdict() == "rollback");
    }
    reports.push_back(std::move(*report));
  }
  return reports;
}

std::vector<v1::HealthReport> JobRegistry::DropPartitions(const std::vector<int32_t>& partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::HealthReport> dropped;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (std::find(partitions.begin(), partitions.end(), it->second.partition) == partitions.end()) {
      ++it;
      continue;
    }
    if (const v1::HealthReport* latest = it->second.scorer->latest()) dropped.push_back(*latest);
    key_by_job_id_.erase(it->second.job_id);
    it = jobs_.erase(it);
  }
  return dropped;
}

const JobRegistry::Job* JobRegistry::Find(std::string_view name_or_id) const {
  if (auto it = jobs_.find(name_or_id); it != jobs_.end()) return &it->second;
  if (!IsPromSafe(name_or_id)) {
    std::string filtered(name_or_id);
    FilterPromChars(filtered);
    if (auto it = jobs_.find(filtered); it != jobs_.end()) return &it->second;
  }
  if (auto id = key_by_job_id_.find(name_or_id); id != key_by_job_id_.end()) {
    if (auto it = jobs_.find(id->second); it != jobs_.end()) return &it->second;
  }
  return nullptr;
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
  if (const v1::HealthReport* latest = job->scorer->latest()) {
    history.set_job_name(latest->job_name());
  }
  for (const v1::HistoryPoint& point : job->scorer->history()) *history.add_points() = point;
  for (const v1::Migration& m : job->migrations) *history.add_migrations() = m;
  return history;
}

absl::Status JobRegistry::AddMigration(std::string_view name_or_id,
                                       const v1::Migration& migration) {
  std::lock_guard<std::mutex> lock(mu_);
  Job* job = Find(name_or_id);
  if (job == nullptr) {
    return absl::NotFoundError(absl::StrCat("no job ", AsAbsl(name_or_id), " on this replica"));
  }
  job->migrations.push_back(migration);
  return absl::OkStatus();
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

}  // namespace vitals::scorer
