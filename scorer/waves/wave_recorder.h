#pragma once

// Records a wave's migration for each of its jobs this replica owns, as
// `POST /api/v1/jobs/<job>/migrations` would: every replica does so for its
// own jobs when it learns a wave (from the waves topic, or the API that
// wrote it), again when partitions are assigned to it (a failover brings
// jobs whose state may predate the wave), and periodically (a job that
// started reporting after the wave). So no request is forwarded between
// replicas and no replica needs to be up when the wave is posted.
//
// Idempotent: a job that already has a migration at or after the wave's
// `at` is left alone, whether that is the wave's own (recorded before) or a
// newer one (a rollback): a rollback verdict reads the newest migration, so
// an older one appended after it would hide it. Serialized by one mutex,
// so that the threads that apply waves never record one twice.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// What the recorder needs of the job registry (JobRegistry in production).
struct OwnedJobs {
  // The job's recorded migrations; nullopt when this replica does not own it.
  std::function<std::optional<v1::MigrationList>(const std::string& job)> migrations;
  // Records a migration; the job's stable key.
  std::function<absl::StatusOr<std::string>(const std::string& job, const v1::Migration&)> add;
};

class WaveRecorder {
 public:
  // Hears the stable key of each job a migration was recorded for.
  using Listener = std::function<void(const std::string& key)>;
  WaveRecorder(OwnedJobs jobs, Listener on_recorded)
      : jobs_(std::move(jobs)), on_recorded_(std::move(on_recorded)) {}

  // Returns how many migrations it recorded.
  size_t Apply(const v1::Wave& wave) ABSL_LOCKS_EXCLUDED(mu_);
  size_t ApplyAll(const std::vector<v1::Wave>& waves) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  size_t ApplyLocked(const v1::Wave& wave) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const OwnedJobs jobs_;
  const Listener on_recorded_;
  absl::Mutex mu_;
};

}  // namespace vitals::scorer
