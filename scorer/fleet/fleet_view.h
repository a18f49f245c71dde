#pragma once

// The latest HealthReport of every job in the fleet, whichever replica
// grades it: fed from `flink.health` (HealthFollower), so that any replica
// can answer fleet-wide reads and knows which replica owns a job (the URL
// its reports carry in the `vitals-scorer-url` header).
//
// Per job key it keeps the newest report by evaluated_at_ms: a replayed or
// late older report never replaces a newer one (on a tie the later record
// wins: a job handed over between replicas). A record with an empty value
// (a tombstone) forgets the job; one that is not a HealthReport is counted
// and skipped. Expire(now) forgets jobs whose newest report is older than
// the expiry. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// The header in which a replica names its own API base URL on each
// HealthReport it publishes.
inline constexpr std::string_view kScorerUrlHeader = "vitals-scorer-url";

struct FleetReport {
  // The record's key: the job's stable identity (scorer/job_key.h).
  std::string key;
  v1::HealthReport report;
  // The API base URL of the replica that published it; empty when the
  // record carried none.
  std::string replica_url;
  // The Kafka timestamp of the record, epoch ms.
  int64_t timestamp_ms = 0;
};

class FleetView {
 public:
  enum class Outcome {
    kApplied,    // now the job's latest report
    kStale,      // older than the report held
    kForgotten,  // a tombstone: the job is gone (or was unknown)
    kMalformed,  // no key, not a HealthReport, or one without a job name
  };

  struct Counts {
    uint64_t applied = 0;
    uint64_t stale = 0;
    uint64_t forgotten = 0;
    uint64_t malformed = 0;
    uint64_t expired = 0;
  };

  // Jobs whose newest report is older than `expiry` are forgotten.
  explicit FleetView(absl::Duration expiry) : expiry_(expiry) {}

  // One record of the health topic: its key, value (serialized
  // HealthReport), the reporting replica's URL and the record's timestamp.
  // A report without evaluated_at_ms is dated by `timestamp_ms`.
  Outcome Apply(std::string_view key, std::string_view value, std::string_view replica_url,
                int64_t timestamp_ms) ABSL_LOCKS_EXCLUDED(mu_);

  // Forgets the jobs whose newest report was evaluated before
  // now_ms - expiry; returns how many.
  size_t Expire(int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);

  // Every job's latest report, by key.
  std::vector<FleetReport> Latest() const ABSL_LOCKS_EXCLUDED(mu_);
  // One job's, by key, by job name (when only one key has it: a tenant
  // may qualify two jobs of the same name) or by current job id.
  std::optional<FleetReport> Latest(std::string_view name_or_id) const ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  Counts counts() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    FleetReport latest;
    // evaluated_at_ms, or the record's timestamp when that is unset.
    int64_t reported_ms = 0;
  };
  using EntryMap = std::map<std::string, Entry, std::less<>>;

  void Erase(EntryMap::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EntryMap::const_iterator Find(std::string_view name_or_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration expiry_;
  mutable absl::Mutex mu_;
  EntryMap entries_ ABSL_GUARDED_BY(mu_);
  // Current job id -> key.
  std::map<std::string, std::string, std::less<>> key_by_job_id_ ABSL_GUARDED_BY(mu_);
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::scorer
