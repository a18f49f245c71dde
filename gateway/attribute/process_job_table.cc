#include "gateway/attribute/process_job_table.h"

#include <algorithm>
#include <tuple>

#include "common/base/strings.h"

namespace vitals::gateway {
namespace {

bool Before(const JobRef& a, const JobRef& b) {
  return std::tie(a.job_name, a.job_id) < std::tie(b.job_name, b.job_id);
}

}  // namespace

ProcessJobTable::Options ProcessJobTable::options() const {
  absl::MutexLock lock(&mu_);
  return options_;
}

void ProcessJobTable::set_options(Options options) {
  absl::MutexLock lock(&mu_);
  options_ = options;
}

void ProcessJobTable::Record(std::span<const JobEvidence> evidence, int64_t now_ms) {
  if (evidence.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const JobEvidence& e : evidence) {
    Process& process = processes_[e.process];
    process.unattributed_ms = -1;
    auto it = std::lower_bound(process.jobs.begin(), process.jobs.end(), e.job,
                               [](const Seen& s, const JobRef& j) { return Before(s.job, j); });
    if (it == process.jobs.end() || it->job != e.job) it = process.jobs.insert(it, Seen{e.job});
    it->last_ms = std::max(it->last_ms, now_ms);
  }
}

void ProcessJobTable::JobsOf(std::string_view process, int64_t now_ms,
                             std::vector<JobRef>* out) const {
  out->clear();
  absl::MutexLock lock(&mu_);
  auto it = processes_.find(AsAbsl(process));
  if (it == processes_.end()) return;
  // Kept sorted by Record.
  for (const Seen& seen : it->second.jobs) {
    if (now_ms - seen.last_ms <= options_.ttl_ms) out->push_back(seen.job);
  }
}

void ProcessJobTable::NoteUnattributed(std::string_view process, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  processes_[std::string(process)].unattributed_ms = now_ms;
}

absl::flat_hash_map<std::string, JobSharing> ProcessJobTable::SharingByJob(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  const int64_t ttl_ms = options_.ttl_ms;
  absl::flat_hash_map<std::string, JobSharing> by_job;
  unattributed_ = 0;
  shared_ = 0;
  for (auto it = processes_.begin(); it != processes_.end();) {
    Process& process = it->second;
    process.jobs.erase(std::remove_if(process.jobs.begin(), process.jobs.end(),
                                      [&](const Seen& s) { return now_ms - s.last_ms > ttl_ms; }),
                       process.jobs.end());
    if (process.unattributed_ms >= 0 && now_ms - process.unattributed_ms > ttl_ms) {
      process.unattributed_ms = -1;
    }
    if (process.jobs.empty() && process.unattributed_ms < 0) {
      processes_.erase(it++);
      continue;
    }
    if (process.unattributed_ms >= 0) ++unattributed_;
    // Distinct job names: a job id change of one job is still one job.
    uint32_t jobs = 0;
    for (size_t i = 0; i < process.jobs.size(); ++i) {
      if (i == 0 || process.jobs[i].job.job_name != process.jobs[i - 1].job.job_name) ++jobs;
    }
    if (jobs > 1) ++shared_;
    for (size_t i = 0; i < process.jobs.size(); ++i) {
      if (i > 0 && process.jobs[i].job.job_name == process.jobs[i - 1].job.job_name) continue;
      JobSharing& sharing = by_job[process.jobs[i].job.job_name];
      ++sharing.processes;
      if (jobs > 1) ++sharing.shared_processes;
      sharing.max_jobs_per_process = std::max(sharing.max_jobs_per_process, jobs);
    }
    ++it;
  }
  return by_job;
}

void ProcessJobTable::Count(const AttributionCounts& batch) {
  if (batch.attributed == 0 && batch.sender_named == 0 && batch.unattributed == 0) return;
  absl::MutexLock lock(&mu_);
  counts_.attributed += batch.attributed;
  counts_.shared_copies += batch.shared_copies;
  counts_.sender_named += batch.sender_named;
  counts_.unattributed += batch.unattributed;
}

AttributionCounts ProcessJobTable::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

void ProcessJobTable::Annotate(int64_t now_ms, std::vector<v1::MetricBatch>* batches) {
  const absl::flat_hash_map<std::string, JobSharing> sharing = SharingByJob(now_ms);
  for (v1::MetricBatch& batch : *batches) {
    auto it = sharing.find(batch.job_name());
    if (it == sharing.end()) continue;
    batch.set_processes(it->second.processes);
    batch.set_shared_processes(it->second.shared_processes);
    batch.set_max_jobs_per_process(it->second.max_jobs_per_process);
  }
}

size_t ProcessJobTable::unattributed_processes() const {
  absl::MutexLock lock(&mu_);
  return unattributed_;
}

size_t ProcessJobTable::shared_processes() const {
  absl::MutexLock lock(&mu_);
  return shared_;
}

}  // namespace vitals::gateway
