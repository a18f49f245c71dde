#pragma once

// An exported counter that follows a total kept elsewhere (the
// aggregator's drop counts, librdkafka's retries): each Follow(total) adds
// the increase since the last call. A total that went down (librdkafka
// forgetting a broker and learning it again) restarts the count, so the
// counter never goes back.

#include <cstdint>

#include "prometheus/counter.h"

namespace vitals::metrics {

class FollowedCounter {
 public:
  explicit FollowedCounter(prometheus::Counter* counter) : counter_(counter) {}

  void Follow(uint64_t total) {
    if (total > seen_) counter_->Increment(static_cast<double>(total - seen_));
    seen_ = total;
  }

 private:
  prometheus::Counter* counter_;
  uint64_t seen_ = 0;
};

}  // namespace vitals::metrics
