#include "scorer/waves/wave_recorder.h"

#include <algorithm>

namespace vitals::scorer {

size_t WaveRecorder::Apply(const v1::Wave& wave) {
  absl::MutexLock lock(&mu_);
  return ApplyLocked(wave);
}

size_t WaveRecorder::ApplyAll(const std::vector<v1::Wave>& waves) {
  absl::MutexLock lock(&mu_);
  size_t recorded = 0;
  for (const v1::Wave& wave : waves) recorded += ApplyLocked(wave);
  return recorded;
}

size_t WaveRecorder::ApplyLocked(const v1::Wave& wave) {
  v1::Migration migration;
  migration.set_from(wave.from());
  migration.set_to(wave.to());
  migration.set_at(wave.at());
  size_t recorded = 0;
  for (const std::string& job : wave.jobs()) {
    const std::optional<v1::MigrationList> known = jobs_.migrations(job);
    if (!known) continue;  // another replica's job
    if (std::any_of(known->migrations().begin(), known->migrations().end(),
                    [&](const v1::Migration& m) { return m.at() >= wave.at(); })) {
      continue;
    }
    absl::StatusOr<std::string> key = jobs_.add(job, migration);
    // Not found: the job left between the two calls (its new owner records it).
    if (!key.ok()) continue;
    ++recorded;
    if (on_recorded_) on_recorded_(*key);
  }
  return recorded;
}

}  // namespace vitals::scorer
