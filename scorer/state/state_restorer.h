#pragma once

// Reads back the state of the jobs in newly assigned partitions, within a
// time budget, and logs how it went. The scorer runs it before it consumes
// or serves those partitions, so that a job it takes over resumes with its
// history and migrations instead of starting blank.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "scorer/state/changelog_source.h"
#include "scorer/state/latest_states.h"

namespace vitals::scorer {

struct RestoreOutcome {
  // The latest state of every job in the partitions (tombstoned jobs left
  // out). When `status` is not OK these are what could be read.
  std::vector<RestoredJob> jobs;
  uint64_t records = 0;
  uint64_t tombstones = 0;
  uint64_t invalid = 0;
  absl::Duration took;
  absl::Status status;
};

class StateRestorer {
 public:
  // `source` must outlive the restorer.
  StateRestorer(ChangelogSource* source, std::string topic, absl::Duration timeout)
      : source_(source), topic_(std::move(topic)), timeout_(timeout) {}

  // The state of `partitions` (the same numbers as the metrics partitions).
  RestoreOutcome Restore(const std::vector<int32_t>& partitions);

 private:
  ChangelogSource* source_;
  std::string topic_;
  absl::Duration timeout_;
};

}  // namespace vitals::scorer
