#pragma once

// Folds a changelog into what it says now: per key, the newest record
// wins and a tombstone deletes the key. Only the winners are decoded.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scorer/state/changelog_source.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// A job's state as read back, and the partition it was read from.
struct RestoredJob {
  std::string key;
  int32_t partition = -1;
  v1::JobState state;
};

class LatestStates {
 public:
  // Records of one partition must come in offset order.
  void Apply(const ChangelogRecord& record);
  // The surviving states, by key; records that do not decode are counted
  // as invalid and skipped. Leaves the fold empty.
  std::vector<RestoredJob> Take();

  uint64_t records() const { return records_; }
  uint64_t tombstones() const { return tombstones_; }
  uint64_t invalid() const { return invalid_; }

 private:
  struct Latest {
    int32_t partition;
    std::string value;
  };
  std::map<std::string, Latest> latest_;
  uint64_t records_ = 0;
  uint64_t tombstones_ = 0;
  uint64_t invalid_ = 0;
};

}  // namespace vitals::scorer
