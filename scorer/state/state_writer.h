#pragma once

// Keeps the state topic up to date with the jobs this replica owns: one
// JobState record per job, keyed by its stable key. History changes every
// interval, so those changes are coalesced (at most one record per job per
// `min_interval`); a migration is written at once, because losing it to a
// failover would silently change a rollback verdict. Thread-safe: each
// record is snapshotted and enqueued under one lock, so that records reach
// the topic in the order their snapshots were taken and the newest state
// always ends up last. A record is trimmed to fit one Kafka message
// (record_fit.h) before it is written.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/log/repeated_log.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "scorer/state/owned_state.h"
#include "scorer/state/state_sink.h"

namespace vitals::scorer {

struct StateWriterLimits {
  // Bytes a record's key and value may take together; 0: unbounded.
  size_t max_record_bytes = 0;
  // Where vitals_scorer_state_records_trimmed_total is registered; null:
  // not exported.
  prometheus::Registry* metrics = nullptr;
};

class StateWriter {
 public:
  // The job's current state; nullopt when this replica does not own it.
  // Called with the writer's lock held: it must not call back into the
  // writer.
  using Snapshot = std::function<std::optional<OwnedState>(const std::string& key)>;
  using Clock = vitals::Clock;

  // `sink` must outlive the writer.
  StateWriter(StateSink* sink, absl::Duration min_interval, Snapshot snapshot, Clock clock,
              StateWriterLimits limits = {});

  // The job's state changed (an evaluation added history): written by the
  // next PublishDue at least `min_interval` after its previous record.
  void MarkChanged(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes the job's state now. NotFound when the job is not owned here.
  absl::Status PublishNow(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes every changed job that is due; returns how many were written.
  size_t PublishDue() ABSL_LOCKS_EXCLUDED(mu_);
  // Writes every changed job, due or not (shutdown).
  size_t PublishAllChanged() ABSL_LOCKS_EXCLUDED(mu_);
  // The job left this replica (its partition was revoked): writes `state`
  // when it holds changes not written yet, so that the next owner resumes
  // from it, and forgets the job.
  absl::Status Release(const std::string& key, const OwnedState& state) ABSL_LOCKS_EXCLUDED(mu_);
  // The job expired: writes a tombstone and forgets the job.
  absl::Status Tombstone(const std::string& key, int32_t partition) ABSL_LOCKS_EXCLUDED(mu_);

  // Records enqueued (tombstones included), and writes the sink refused.
  uint64_t written() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t refused() const ABSL_LOCKS_EXCLUDED(mu_);
  // Records that lost history points or migrations to fit.
  uint64_t trimmed() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    bool changed = false;
    bool published = false;
    int64_t published_at_ms = 0;
  };
  absl::Status WriteLocked(const std::string& key, OwnedState state, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t PublishChangedLocked(bool only_due) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StateSink* sink_;
  const int64_t min_interval_ms_;
  const size_t max_record_bytes_;
  prometheus::Counter* trimmed_history_ = nullptr;
  prometheus::Counter* trimmed_migrations_ = nullptr;
  // Refusals repeat on every tick while Kafka is away; trims on every
  // record of a job that stays large.
  log::RepeatedLog refused_log_{log::Level::kWarn, "cannot write job state; will retry"};
  log::RepeatedLog trimmed_log_{log::Level::kWarn,
                                "job state trimmed to fit the state producer's message.max.bytes"};
  Snapshot snapshot_;
  Clock clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t trimmed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vitals::scorer
