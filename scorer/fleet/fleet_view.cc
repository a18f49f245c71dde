#include "scorer/fleet/fleet_view.h"

#include <utility>

#include "common/base/prom_chars.h"

namespace vitals::scorer {

FleetView::Outcome FleetView::Apply(std::string_view key, std::string_view value,
                                    std::string_view replica_url, int64_t timestamp_ms) {
  if (key.empty()) {
    absl::MutexLock lock(&mu_);
    ++counts_.malformed;
    return Outcome::kMalformed;
  }
  if (value.empty()) {
    absl::MutexLock lock(&mu_);
    ++counts_.forgotten;
    if (auto it = entries_.find(key); it != entries_.end()) Erase(it);
    return Outcome::kForgotten;
  }
  // Parsed outside the lock: the bytes are the sender's, the table ours.
  v1::HealthReport report;
  // Every report a scorer writes names its job.
  if (!report.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      report.job_name().empty()) {
    absl::MutexLock lock(&mu_);
    ++counts_.malformed;
    return Outcome::kMalformed;
  }
  const int64_t reported_ms =
      report.evaluated_at_ms() > 0 ? report.evaluated_at_ms() : timestamp_ms;

  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && reported_ms < it->second.reported_ms) {
    ++counts_.stale;
    return Outcome::kStale;
  }
  if (it == entries_.end()) {
    it = entries_.emplace(std::string(key), Entry()).first;
    it->second.latest.key = std::string(key);
  } else if (it->second.latest.report.job_id() != report.job_id()) {
    // Redeployed: the old job id no longer leads here.
    auto id = key_by_job_id_.find(it->second.latest.report.job_id());
    if (id != key_by_job_id_.end() && id->second == it->first) key_by_job_id_.erase(id);
  }
  if (!report.job_id().empty()) key_by_job_id_[report.job_id()] = it->first;
  Entry& entry = it->second;
  entry.latest.report = std::move(report);
  entry.latest.replica_url = std::string(replica_url);
  entry.latest.timestamp_ms = timestamp_ms;
  entry.reported_ms = reported_ms;
  ++counts_.applied;
  return Outcome::kApplied;
}

void FleetView::Erase(EntryMap::iterator it) {
  auto id = key_by_job_id_.find(it->second.latest.report.job_id());
  if (id != key_by_job_id_.end() && id->second == it->first) key_by_job_id_.erase(id);
  entries_.erase(it);
}

size_t FleetView::Expire(int64_t now_ms) {
  const int64_t cutoff = now_ms - absl::ToInt64Milliseconds(expiry_);
  absl::MutexLock lock(&mu_);
  size_t expired = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.reported_ms < cutoff) {
      Erase(it);
      ++expired;
    }
    it = next;
  }
  counts_.expired += expired;
  return expired;
}

FleetView::EntryMap::const_iterator FleetView::Find(std::string_view name_or_id) const {
  if (auto it = entries_.find(name_or_id); it != entries_.end()) return it;
  // As the job registry looks a job up: its name as Flink writes it.
  if (!IsLabelValueSafe(name_or_id)) {
    std::string filtered(name_or_id);
    FilterLabelValue(filtered);
    if (auto it = entries_.find(filtered); it != entries_.end()) return it;
  }
  if (auto id = key_by_job_id_.find(name_or_id); id != key_by_job_id_.end()) {
    return entries_.find(id->second);
  }
  // A tenant-qualified key by its bare job name, when no other tenant has
  // a job of that name.
  auto found = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.latest.report.job_name() != name_or_id) continue;
    if (found != entries_.end()) return entries_.end();
    found = it;
  }
  return found;
}

std::vector<FleetReport> FleetView::Latest() const {
  absl::MutexLock lock(&mu_);
  std::vector<FleetReport> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry.latest);
  return out;
}

std::optional<FleetReport> FleetView::Latest(std::string_view name_or_id) const {
  absl::MutexLock lock(&mu_);
  auto it = Find(name_or_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.latest;
}

size_t FleetView::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

FleetView::Counts FleetView::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

}  // namespace vitals::scorer
