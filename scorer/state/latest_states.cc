#include "scorer/state/latest_states.h"

namespace vitals::scorer {

void LatestStates::Apply(const ChangelogRecord& record) {
  ++records_;
  if (record.key.empty()) {
    ++invalid_;
    return;
  }
  // An empty value cannot be a job's state (it always names the job); a
  // tool that wrote one meant a deletion.
  if (!record.value || record.value->empty()) {
    ++tombstones_;
    if (auto it = latest_.find(std::string(record.key)); it != latest_.end()) latest_.erase(it);
    return;
  }
  Latest& latest = latest_[std::string(record.key)];
  latest.partition = record.partition;
  latest.value.assign(record.value->data(), record.value->size());
}

std::vector<RestoredJob> LatestStates::Take() {
  std::vector<RestoredJob> out;
  out.reserve(latest_.size());
  for (auto& [key, latest] : latest_) {
    RestoredJob job;
    if (!job.state.ParseFromString(latest.value)) {
      ++invalid_;
      continue;
    }
    job.key = key;
    job.partition = latest.partition;
    out.push_back(std::move(job));
  }
  latest_.clear();
  return out;
}

}  // namespace vitals::scorer
