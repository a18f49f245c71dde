#pragma once

// Every wave (batch migration) the fleet has recorded, by name: fed from the
// compacted waves topic by the WaveFollower, and by the API at once for a
// wave it has just written (so that the replica asked answers for it before
// its own record comes back). The newest record of a name wins, as
// compaction would have it; a tombstone (empty value) forgets the wave.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

class WaveBook {
 public:
  enum class Outcome {
    kAdded,      // a wave not held before
    kReplaced,   // a new version of a wave held
    kUnchanged,  // the same as held (a record read back, a retried POST)
    kForgotten,  // a tombstone
    kMalformed,  // not a Wave, or its name differs from the key
  };

  // One record of the waves topic.
  Outcome Apply(std::string_view key, std::string_view value) ABSL_LOCKS_EXCLUDED(mu_);
  // A wave the API recorded (already checked).
  Outcome Put(const v1::Wave& wave) ABSL_LOCKS_EXCLUDED(mu_);

  std::optional<v1::Wave> Get(std::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // Newest first (by `at`, then name), so that a page holds the waves that
  // matter now.
  std::vector<v1::Wave> List() const ABSL_LOCKS_EXCLUDED(mu_);
  // Those whose `at` is at or after `at_ms`, newest first: the waves still
  // worth recording on jobs (an older migration is refused anyway).
  std::vector<v1::Wave> Since(int64_t at_ms) const ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  // Bumped by every change: lets the recorder skip unchanged books.
  uint64_t version() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Outcome PutLocked(const v1::Wave& wave) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, v1::Wave, std::less<>> waves_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vitals::scorer
