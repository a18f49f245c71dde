#pragma once

// What a wave's jobs say about the wave. Each job's verdict is its owner's
// rollback verdict (model/rollback.h) about the job's newest migration,
// read against the wave's migration:
//  - the newest migration is the wave's move (`from` -> `to`, at or after
//    the wave's `at`): the owner's verdict, keep | rollback |
//    insufficient_data;
//  - the newest migration goes back to the wave's `from`, at or after the
//    wave's `at`: `rolled_back`, which no longer counts against the wave;
//  - no migration at or after the wave's `at` (the owner has not recorded
//    the wave yet) or a newer one to a third cluster: insufficient_data.
// The wave: `rollback` while any job says rollback (naming them), else
// `hold` while any job lacks a verdict, else `proceed`: every job is keep
// or has been rolled back.

#include <string>
#include <vector>

#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

inline constexpr char kVerdictRolledBack[] = "rolled_back";
inline constexpr char kWaveProceed[] = "proceed";
inline constexpr char kWaveHold[] = "hold";
inline constexpr char kWaveRollback[] = "rollback";

// `job`'s verdict in `wave` from its owner's rollback verdict.
v1::WaveJob JudgeWaveJob(const v1::Wave& wave, const std::string& job,
                         const v1::RollbackVerdict& owner_verdict);
// A job no replica gave a verdict about: insufficient_data for `reason`.
v1::WaveJob UnjudgedWaveJob(const std::string& job, std::string reason);
// The wave's verdict over its jobs' (in the wave's order).
v1::WaveStatus CombineWave(const v1::Wave& wave, std::vector<v1::WaveJob> jobs);

}  // namespace vitals::scorer
